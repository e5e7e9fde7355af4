import { afterEach, describe, expect, it } from "vitest";
import { Timestamp } from "../../common";
import { installCallAttributionSource } from "../../ports/call-signal";
import { RESOURCES } from "../../resources";
import { fixtures } from "../fixtures";
import { KIND_CASES, Parents, repoOf, SCOPE_LABEL, scopeToken } from "../repository/kind-cases";
import { expectDomainError } from "../support";
import { type ChangeLogHarness, entriesOf, isStrictlyIncreasing } from "./harness";

/** writesSuite registers tests that every committed write appends exactly one entry, in its transaction, and nothing else does. */
export function writesSuite(harness: () => ChangeLogHarness): void {
  const h = () => harness();
  const log = () => h().changeLog;

  describe("every kind", () => {
    for (const kase of KIND_CASES) {
      it(`create, update and delete of a ${kase.kind} append ADDED, MODIFIED and DELETED entries with the resource`, async () => {
        const repo = repoOf(h().repos, kase.key);
        const before = await log().head();
        const input = await kase.input(new Parents(h().repos), { [SCOPE_LABEL]: scopeToken() });
        const created = await repo.create(input);
        const updated = await repo.update({ ...created, labels: { ...created.labels, touched: "yes" } });
        await repo.delete(updated.id);
        const mine = await entriesOf(log(), before, [created.id]);
        const own = mine.filter((e) => e.kind === kase.kind);
        expect(own.map((e) => e.type)).toEqual(["ADDED", "MODIFIED", "DELETED"]);
        const [added, modified, deleted] = own as [(typeof own)[0], (typeof own)[0], (typeof own)[0]];
        expect(added.object).toEqual(created);
        expect(added.revision).toBe(created.resourceVersion);
        expect(modified.object).toEqual(updated);
        expect(modified.revision).toBe(updated.resourceVersion);
        expect(deleted.object).toEqual(updated);
        expect(deleted.revision).toBeGreaterThan(updated.resourceVersion);
        const projectId = (created as { projectId?: unknown }).projectId;
        for (const e of own) {
          expect(e.id).toBe(created.id);
          expect(e.projectId).toBe(typeof projectId === "string" ? projectId : undefined);
          expect(Timestamp.safeParse(e.at).success, `at ${e.at}`).toBe(true);
        }
        if (RESOURCES[kase.kind].projectScoped) expect(added.projectId).toBeDefined();
      });
    }
  });

  describe("writes", () => {
    it("updateStatus and recordHeartbeat of a node and updateStatus of a VM each append one MODIFIED entry", async () => {
      const repos = h().repos;
      const projectId = (await repos.projects.create(fixtures.project())).id;
      const node = await repos.nodes.create(fixtures.node({ status: { phase: "PENDING" } }));
      const vm = await repos.vms.create(fixtures.vm({ projectId }));
      const before = await log().head();
      const ready = await repos.nodes.updateStatus(
        node.id,
        { ...node.status, phase: "READY" },
        node.resourceVersion,
      );
      const beat = await repos.nodes.recordHeartbeat(node.id, { at: "2026-02-03T04:05:06.000Z" });
      const placed = await repos.vms.updateStatus(
        vm.id,
        { ...vm.status, nodeId: node.id },
        vm.resourceVersion,
      );
      const mine = await entriesOf(log(), before, [node.id, vm.id]);
      expect(mine.map((e) => [e.kind, e.type, e.revision])).toEqual([
        ["Node", "MODIFIED", ready.resourceVersion],
        ["Node", "MODIFIED", beat.resourceVersion],
        ["VirtualMachine", "MODIFIED", placed.resourceVersion],
      ]);
      expect(mine.map((e) => e.object)).toEqual([ready, beat, placed]);
    });

    it("a resource's resourceVersion is the revision of its last entry, growing with every write, and still guards updates", async () => {
      const repos = h().repos;
      const before = await log().head();
      const created = await repos.clusters.create(fixtures.cluster());
      const once = await repos.clusters.update({ ...created, labels: { n: "1" } });
      await repos.projects.create(fixtures.project());
      const twice = await repos.clusters.update({ ...once, labels: { n: "2" } });
      const versions = [created, once, twice].map((c) => c.resourceVersion);
      expect(isStrictlyIncreasing(versions)).toBe(true);
      const mine = await entriesOf(log(), before, [created.id]);
      expect(mine.map((e) => e.revision)).toEqual(versions);
      expect((await repos.clusters.get(created.id)).resourceVersion).toBe(mine.at(-1)?.revision);
      expect(await log().head()).toBeGreaterThanOrEqual(twice.resourceVersion);
      await expectDomainError(repos.clusters.update({ ...once, labels: { n: "stale" } }), "Conflict");
      await expectDomainError(repos.clusters.delete(created.id, once.resourceVersion), "Conflict");
    });

    it("a refused write appends nothing: a duplicate, a stale version, invalid input, a missing resource", async () => {
      const repos = h().repos;
      const project = await repos.projects.create(fixtures.project());
      const current = await repos.projects.update({ ...project, description: "current" });
      const before = await log().head();
      await expectDomainError(
        repos.projects.create(fixtures.project({ name: project.name })),
        "AlreadyExists",
      );
      await expectDomainError(
        repos.projects.create({ ...fixtures.project(), id: project.id }),
        "AlreadyExists",
      );
      await expectDomainError(repos.projects.update({ ...project, description: "stale" }), "Conflict");
      await expectDomainError(repos.projects.delete(project.id, project.resourceVersion), "Conflict");
      await expectDomainError(
        repos.projects.update({ ...current, name: "Not_A_DNS_Label" }),
        "InvalidArgument",
      );
      const missing = fixtures.project();
      await expectDomainError(repos.projects.update({ ...current, id: missing.id }), "NotFound");
      await expectDomainError(repos.projects.delete(missing.id), "NotFound");
      expect(await entriesOf(log(), before, [project.id, missing.id])).toEqual([]);
      expect(await repos.projects.get(project.id)).toEqual(current);
    });
  });

  describe("units of work", () => {
    it("a committed work appends one entry per write, in the order of its writes, with the versions it returned", async () => {
      const before = await log().head();
      const project = fixtures.project();
      const written = await h().uow.run(async (tx) => {
        const p = await tx.projects.create(project);
        const vm = await tx.vms.create(fixtures.vm({ projectId: p.id }));
        const running = await tx.vms.updateStatus(
          vm.id,
          { ...vm.status, powerState: "RUNNING" },
          vm.resourceVersion,
        );
        return [p, vm, running] as const;
      });
      const [p, vm, running] = written;
      const mine = await entriesOf(log(), before, [p.id, vm.id]);
      expect(mine.map((e) => [e.kind, e.type, e.revision])).toEqual([
        ["Project", "ADDED", p.resourceVersion],
        ["VirtualMachine", "ADDED", vm.resourceVersion],
        ["VirtualMachine", "MODIFIED", running.resourceVersion],
      ]);
      expect(mine.map((e) => e.object)).toEqual([p, vm, running]);
      expect(await h().repos.vms.get(vm.id)).toEqual(running);
    });

    it("a work that throws appends no entry and changes nothing", async () => {
      const repos = h().repos;
      const projectId = (await repos.projects.create(fixtures.project())).id;
      const kept = await repos.vms.create(fixtures.vm({ projectId }));
      const doomed = await repos.vms.create(fixtures.vm({ projectId }));
      const fresh = fixtures.vm({ projectId });
      const before = await log().head();
      const boom = new Error("boom");
      await expect(
        h().uow.run(async (tx) => {
          await tx.vms.create(fresh);
          await tx.vms.update({ ...kept, labels: { changed: "yes" } });
          await tx.vms.delete(doomed.id);
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await entriesOf(log(), before, [kept.id, doomed.id, fresh.id])).toEqual([]);
      expect(await repos.vms.get(kept.id)).toEqual(kept);
      expect(await repos.vms.get(doomed.id)).toEqual(doomed);
      expect(await repos.vms.find(fresh.id)).toBeUndefined();
    });
  });

  describe("attribution", () => {
    let restore: (() => void) | undefined;
    afterEach(() => {
      restore?.();
      restore = undefined;
    });

    it("records the request id and principal of the call being served, and none outside a call", async () => {
      let call: { requestId?: string; principal?: string } | undefined;
      const previous = installCallAttributionSource(() => call);
      restore = () => installCallAttributionSource(previous);
      const before = await log().head();
      call = { requestId: "req-create", principal: "alice" };
      const project = await h().repos.projects.create(fixtures.project());
      call = { requestId: "req-work", principal: "system:reconciler" };
      const vm = await h().uow.run((tx) => tx.vms.create(fixtures.vm({ projectId: project.id })));
      call = { requestId: "req-only" };
      const touched = await h().repos.projects.update({ ...project, description: "by request only" });
      call = undefined;
      await h().repos.projects.update({ ...touched, description: "outside a call" });
      const mine = await entriesOf(log(), before, [project.id, vm.id]);
      expect(mine.map((e) => [e.id, e.requestId, e.principal])).toEqual([
        [project.id, "req-create", "alice"],
        [vm.id, "req-work", "system:reconciler"],
        [project.id, "req-only", undefined],
        [project.id, undefined, undefined],
      ]);
      expect(mine.at(-1)).not.toHaveProperty("requestId");
      expect(mine.at(-1)).not.toHaveProperty("principal");
    });
  });
}
