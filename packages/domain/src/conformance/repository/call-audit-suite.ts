import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AuditEntry } from "../../entities/audit-entry";
import { type CallAttribution, installCallAttributionSource } from "../../ports/call-signal";
import { fixtures, uniqueName } from "../fixtures";
import { expectDomainError } from "../support";
import type { RepositoryHarness } from "./harness";

/** Audited is the attribution of an audited call. */
interface Audited {
  readonly requestId: string;
  readonly principal: string;
  readonly audit: AuditEntry;
}

/**
 * callAuditSuite registers tests of the audit entries that writes store for the call they serve
 * (CallAttribution.audit): one entry per call, committed with its first committed change, none
 * for a write that rolls back, changes nothing or serves a call without one.
 */
export function callAuditSuite(harness: () => RepositoryHarness): void {
  const h = () => harness();

  describe("audit entries of calls", () => {
    // What the installed source answers; each test sets it, the previous source comes back after.
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

    /** auditedCall makes the attribution of an audited call, with an entry only this test uses. */
    const auditedCall = (): Audited => {
      const username = uniqueName("caller");
      return {
        requestId: uniqueName("req"),
        principal: `user:${username}`,
        audit: fixtures.auditEntry({ actor: { username }, action: "svc/Write" }),
      };
    };
    /** entriesOf lists the stored entries of a call's actor. */
    const entriesOf = async (c: Audited) =>
      (await h().repos.audit.list({ username: c.audit.actor.username })).items;

    it("tells the call its entry is stored (auditStored) only after a write that stored it committed", async () => {
      const committed = auditedCall();
      let told = 0;
      call = { ...committed, auditStored: () => told++ };
      const toldInside = await h().uow.run(async (tx) => {
        await tx.projects.create(fixtures.project());
        return told;
      });
      expect(toldInside).toBe(0);
      // A store that cannot tell never says so; one that says so has stored the entry.
      if (told > 0) expect(await entriesOf(committed)).toEqual([committed.audit]);
      const rolledBack = auditedCall();
      let toldRolledBack = 0;
      call = { ...rolledBack, auditStored: () => toldRolledBack++ };
      await h()
        .uow.run(async (tx) => {
          await tx.projects.create(fixtures.project());
          throw new Error("rolled back");
        })
        .catch(() => undefined);
      expect(toldRolledBack).toBe(0);
      expect(await entriesOf(rolledBack)).toEqual([]);
      const outside = auditedCall();
      let toldOutside = 0;
      call = { ...outside, auditStored: () => toldOutside++ };
      await expectDomainError(h().repos.projects.delete(fixtures.project().id), "NotFound");
      expect(toldOutside).toBe(0);
      await h().repos.projects.create(fixtures.project());
      if (toldOutside > 0) expect(await entriesOf(outside)).toEqual([outside.audit]);
    });

    it("a write inside an audited call stores the call's entry, once, as given", async () => {
      const audited = auditedCall();
      call = audited;
      const project = await h().repos.projects.create(fixtures.project());
      expect(await h().repos.projects.get(project.id)).toEqual(project);
      expect(await entriesOf(audited)).toEqual([audited.audit]);
    });

    it("updates and deletes store the entry too, and so does every kind of write", async () => {
      const projectId = (await h().repos.projects.create(fixtures.project())).id;
      const vm = await h().repos.vms.create(fixtures.vm({ projectId }));
      const group = await h().repos.securityGroups.create(fixtures.securityGroup({ projectId }));
      const calls = [auditedCall(), auditedCall(), auditedCall(), auditedCall()] as const;
      call = calls[0];
      await h().repos.vms.update({ ...vm, labels: { touched: "yes" } });
      call = calls[1];
      await h().repos.vms.delete(vm.id);
      call = calls[2];
      await h().repos.securityGroups.create(fixtures.securityGroup({ projectId }));
      call = calls[3];
      await h().repos.securityGroups.delete(group.id);
      call = undefined;
      for (const c of calls) expect(await entriesOf(c)).toEqual([c.audit]);
    });

    it("a call that commits two transactions, or two writes in one unit of work, is recorded once", async () => {
      const separate = auditedCall();
      call = separate;
      const project = await h().repos.projects.create(fixtures.project());
      await h().repos.vms.create(fixtures.vm({ projectId: project.id }));
      const together = auditedCall();
      call = together;
      await h().uow.run(async (tx) => {
        await tx.vms.create(fixtures.vm({ projectId: project.id }));
        await tx.projects.update({ ...project, description: "second write of the work" });
      });
      call = undefined;
      expect(await entriesOf(separate)).toEqual([separate.audit]);
      expect(await entriesOf(together)).toEqual([together.audit]);
    });

    it("a unit of work that rolls back leaves neither its changes nor the entry; the call's next write stores it", async () => {
      const projectId = (await h().repos.projects.create(fixtures.project())).id;
      const audited = auditedCall();
      call = audited;
      const doomed = fixtures.vm({ projectId });
      const boom = new Error("boom");
      await expect(
        h().uow.run(async (tx) => {
          await tx.vms.create(doomed);
          throw boom;
        }),
      ).rejects.toBe(boom);
      expect(await h().repos.vms.find(doomed.id)).toBeUndefined();
      expect(await entriesOf(audited)).toEqual([]);
      await h().repos.vms.create(fixtures.vm({ projectId }));
      expect(await entriesOf(audited)).toEqual([audited.audit]);
    });

    it("a refused write, a read and an append store no entry of the call", async () => {
      const project = await h().repos.projects.create(fixtures.project());
      const audited = auditedCall();
      call = audited;
      await expectDomainError(
        h().repos.projects.create({ ...fixtures.project(), id: project.id }),
        "AlreadyExists",
      );
      await expectDomainError(
        h().repos.projects.update({ ...project, resourceVersion: project.resourceVersion + 1000 }),
        "Conflict",
      );
      await expectDomainError(h().repos.projects.delete(uniqueName("missing")), "NotFound");
      await h().repos.projects.get(project.id);
      await h().repos.projects.list({});
      const other = await h().repos.audit.append(fixtures.auditEntry({ actor: audited.audit.actor }));
      expect(await entriesOf(audited)).toEqual([other]);
    });

    it("a write with no audit entry in its attribution, or outside any call, stores no entry", async () => {
      const before = await h().repos.audit.count();
      call = { requestId: uniqueName("req"), principal: "user:nobody" };
      const project = await h().repos.projects.create(fixtures.project());
      await h().uow.run((tx) => tx.vms.create(fixtures.vm({ projectId: project.id })));
      call = undefined;
      await h().repos.projects.update({ ...project, description: "outside a call" });
      expect(await h().repos.audit.count()).toBe(before);
    });

    it("appending the entry a write stored is AlreadyExists, and an entry appended first is kept as it was", async () => {
      const audited = auditedCall();
      call = audited;
      await h().repos.projects.create(fixtures.project());
      await expectDomainError(h().repos.audit.append(audited.audit), "AlreadyExists");
      const first = auditedCall();
      const appended = await h().repos.audit.append({ ...first.audit, outcome: "FAILURE", code: "Internal" });
      call = first;
      await h().repos.projects.create(fixtures.project());
      call = undefined;
      expect(await entriesOf(first)).toEqual([appended]);
    });

    it("a write whose call carries an invalid entry is InvalidArgument and changes nothing", async () => {
      const good = auditedCall();
      call = { ...good, audit: { ...good.audit, outcome: "MAYBE" } as unknown as AuditEntry };
      const project = fixtures.project();
      await expectDomainError(h().repos.projects.create(project), "InvalidArgument");
      call = undefined;
      expect(await h().repos.projects.find(project.id)).toBeUndefined();
      expect(await entriesOf(good)).toEqual([]);
    });
  });
}
