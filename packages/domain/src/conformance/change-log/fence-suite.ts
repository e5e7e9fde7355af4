import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ErrorCode } from "../../errors";
import { type CallAttribution, installCallAttributionSource } from "../../ports/call-signal";
import { FENCED, type WriteFence } from "../../ports/write-fence";
import { fixtures, uniqueName } from "../fixtures";
import { expectDomainError } from "../support";
import { type ChangeLogHarness, entriesOf } from "./harness";

/**
 * fenceSuite registers tests of write fences (CallAttribution.fence, ChangeLog.advanceFence): a
 * write under an office's newest token commits, a write under an older token is refused in its
 * own transaction and leaves nothing behind, tokens are kept per office, and writes without a
 * fence are never refused.
 */
export function fenceSuite(harness: () => ChangeLogHarness): void {
  const h = () => harness();
  const log = () => h().changeLog;

  describe("write fences", () => {
    let call: CallAttribution | undefined;
    let restore: (() => void) | undefined;
    beforeEach(() => {
      call = undefined;
      const previous = installCallAttributionSource(() => call);
      restore = () => installCallAttributionSource(previous);
    });
    afterEach(() => {
      restore?.();
      restore = undefined;
    });
    const under = (fence: WriteFence | undefined) => {
      call = fence ? { principal: "system:controllers", fence } : undefined;
    };

    it("a write under the newest token commits; under an older one it is refused and leaves nothing", async () => {
      const office = uniqueName("office");
      const project = await h().repos.projects.create(fixtures.project());
      await log().advanceFence({ name: office, token: 5 });
      under({ name: office, token: 5 });
      const vm = await h().repos.vms.create(fixtures.vm({ projectId: project.id }));
      const before = await log().head();
      under({ name: office, token: 4 });
      const refused = await expectDomainError(
        h().repos.vms.update({ ...vm, labels: { by: "deposed" } }),
        ErrorCode.FailedPrecondition,
      );
      expect(refused.details).toMatchObject({ reason: FENCED, name: office, token: 4, newestToken: 5 });
      await expectDomainError(
        h().repos.vms.create(fixtures.vm({ projectId: project.id })),
        ErrorCode.FailedPrecondition,
      );
      await expectDomainError(h().repos.vms.delete(vm.id), ErrorCode.FailedPrecondition);
      under(undefined);
      expect(await h().repos.vms.get(vm.id)).toEqual(vm);
      expect(await entriesOf(log(), before, [vm.id])).toEqual([]);
    });

    it("a unit of work under a stale fence is refused and stores none of its writes", async () => {
      const office = uniqueName("office");
      const project = await h().repos.projects.create(fixtures.project());
      await log().advanceFence({ name: office, token: 9 });
      const before = await log().head();
      const first = fixtures.vm({ projectId: project.id });
      const second = fixtures.vm({ projectId: project.id });
      under({ name: office, token: 8 });
      await expectDomainError(
        h().uow.run(async (tx) => {
          await tx.vms.create(first);
          await tx.vms.create(second);
        }),
        ErrorCode.FailedPrecondition,
      );
      under({ name: office, token: 9 });
      await h().uow.run(async (tx) => {
        await tx.vms.create(second);
      });
      under(undefined);
      expect(await h().repos.vms.find(first.id as string)).toBeUndefined();
      expect(
        (await entriesOf(log(), before, [first.id as string, second.id as string])).map((e) => e.id),
      ).toEqual([second.id]);
    });

    it("a write under a newer token advances the office, so the older holder is refused from then on", async () => {
      const office = uniqueName("office");
      const project = await h().repos.projects.create(fixtures.project());
      under({ name: office, token: 1 });
      const first = await h().repos.vms.create(fixtures.vm({ projectId: project.id }));
      under({ name: office, token: 2 });
      const second = await h().repos.vms.update({ ...first, labels: { by: "successor" } });
      under({ name: office, token: 1 });
      await expectDomainError(
        h().repos.vms.update({ ...second, labels: { by: "deposed" } }),
        ErrorCode.FailedPrecondition,
      );
      await expectDomainError(log().advanceFence({ name: office, token: 1 }), ErrorCode.FailedPrecondition);
      under(undefined);
      expect((await h().repos.vms.get(first.id)).labels).toEqual({ by: "successor" });
    });

    it("advanceFence accepts the same or a newer token and refuses an older one, per office", async () => {
      const a = uniqueName("office");
      const b = uniqueName("office");
      await log().advanceFence({ name: a, token: 3 });
      await log().advanceFence({ name: a, token: 3 });
      await log().advanceFence({ name: a, token: 7 });
      await log().advanceFence({ name: b, token: 1 });
      const refused = await expectDomainError(
        log().advanceFence({ name: a, token: 6 }),
        ErrorCode.FailedPrecondition,
      );
      expect(refused.details).toMatchObject({ reason: FENCED, name: a, token: 6, newestToken: 7 });
      expect(refused.message).toMatch(/deposed/);
    });

    it("writes without a fence, or under another office, are never refused by it", async () => {
      const office = uniqueName("office");
      await log().advanceFence({ name: office, token: 100 });
      const project = await h().repos.projects.create(fixtures.project());
      under({ name: uniqueName("other"), token: 1 });
      await h().repos.projects.update({ ...project, description: "another office" });
      under(undefined);
      const touched = await h().repos.projects.get(project.id);
      expect(touched.description).toBe("another office");
    });

    it("an invalid fence is InvalidArgument naming the field, and nothing is written", async () => {
      await expectDomainError(log().advanceFence({ name: "", token: 1 }), ErrorCode.InvalidArgument);
      const e = await expectDomainError(
        log().advanceFence({ name: uniqueName("office"), token: 0 }),
        ErrorCode.InvalidArgument,
      );
      expect(e.details.fieldViolations?.[0]?.field).toBe("fence.token");
      const project = fixtures.project();
      under({ name: uniqueName("office"), token: 1.5 });
      await expectDomainError(h().repos.projects.create(project), ErrorCode.InvalidArgument);
      under(undefined);
      expect(await h().repos.projects.find(project.id as string)).toBeUndefined();
    });
  });
}
