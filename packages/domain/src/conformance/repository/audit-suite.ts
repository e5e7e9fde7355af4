import { describe, expect, it } from "vitest";
import type { AuditEntry } from "../../entities/audit-entry";
import type { AuditFilter } from "../../ports/audit-repository";
import { fixtures, uniqueName } from "../fixtures";
import { expectDomainError } from "../support";
import type { RepositoryHarness } from "./harness";

const T = (minute: number) => `2026-03-01T10:${String(minute).padStart(2, "0")}:00.000Z`;

/** auditSuite registers tests of the append-only audit log. */
export function auditSuite(harness: () => RepositoryHarness): void {
  const audit = () => harness().repos.audit;

  describe("audit", () => {
    it("append stores the entry with defaults applied and returns it", async () => {
      const username = uniqueName("actor");
      const input = fixtures.auditEntry({ actor: { username } });
      const { details: _omitted, ...withoutDetails } = input;
      const stored = await audit().append(withoutDetails as AuditEntry);
      expect(stored).toEqual({ ...input, details: {} });
      const page = await audit().list({ username });
      expect(page.items).toEqual([stored]);
      expect(page.total).toBe(1);
    });

    it("a duplicate id is AlreadyExists; an invalid entry is InvalidArgument; neither is stored", async () => {
      const username = uniqueName("actor");
      const first = await audit().append(fixtures.auditEntry({ actor: { username } }));
      await expectDomainError(
        audit().append(fixtures.auditEntry({ id: first.id, actor: { username } })),
        "AlreadyExists",
      );
      const bad = {
        ...fixtures.auditEntry({ actor: { username } }),
        outcome: "MAYBE",
      } as unknown as AuditEntry;
      const error = await expectDomainError(audit().append(bad), "InvalidArgument");
      expect(error.message).toContain("outcome");
      await expectDomainError(
        audit().append(fixtures.auditEntry({ at: "not a time", actor: { username } })),
        "InvalidArgument",
      );
      expect(await audit().count({ username })).toBe(1);
    });

    it("lists newest first by time, then by id, whatever the order of appending", async () => {
      const username = uniqueName("actor");
      const e2 = await audit().append(fixtures.auditEntry({ at: T(2), actor: { username } }));
      const e1 = await audit().append(fixtures.auditEntry({ at: T(1), actor: { username } }));
      const e3 = await audit().append(fixtures.auditEntry({ at: T(3), actor: { username } }));
      const tieA = await audit().append(fixtures.auditEntry({ at: T(2), actor: { username } }));
      const page = await audit().list({ username });
      expect(page.items.map((e) => e.id)).toEqual([e3.id, tieA.id, e2.id, e1.id]);
    });

    it("pages newest first without duplicates or gaps, with the total on each page", async () => {
      const username = uniqueName("actor");
      const ids: string[] = [];
      for (let m = 0; m < 7; m++)
        ids.push((await audit().append(fixtures.auditEntry({ at: T(m), actor: { username } }))).id);
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await audit().list({ username }, cursor ? { limit: 3, cursor } : { limit: 3 });
        expect(page.total).toBe(7);
        seen.push(...page.items.map((e) => e.id));
        cursor = page.nextCursor;
        // An entry appended while paging is newer than the cursor, so it never shows up mid-list.
        if (cursor)
          await audit().append(fixtures.auditEntry({ at: T(59), actor: { username: `${username}-x` } }));
      } while (cursor);
      expect(seen).toEqual([...ids].reverse());
    });

    it("refuses a bad cursor, a cursor of another list and a bad limit with InvalidArgument", async () => {
      await expectDomainError(audit().list({}, { cursor: "garbage" }), "InvalidArgument");
      const projectId = (await harness().repos.projects.create(fixtures.project())).id;
      for (let i = 0; i < 2; i++) await harness().repos.vms.create(fixtures.vm({ projectId }));
      const vms = await harness().repos.vms.list({ projectId }, { limit: 1 });
      await expectDomainError(audit().list({}, { cursor: vms.nextCursor! }), "InvalidArgument");
      await expectDomainError(audit().list({}, { limit: 0 }), "InvalidArgument");
    });

    it("filters by every criterion, combined with AND", async () => {
      const username = uniqueName("actor");
      const other = uniqueName("actor");
      const projectId = uniqueName("prj");
      const a = await audit().append(
        fixtures.auditEntry({
          at: T(1),
          actor: { username },
          action: "svc/CreateVM",
          projectId,
          resource: { kind: "VirtualMachine", id: "vm-1", name: "web" },
          outcome: "SUCCESS",
        }),
      );
      const b = await audit().append(
        fixtures.auditEntry({
          at: T(2),
          actor: { username },
          action: "svc/DeleteVM",
          projectId,
          resource: { kind: "VirtualMachine", id: "vm-2" },
          outcome: "FAILURE",
          code: "NotFound",
        }),
      );
      const c = await audit().append(
        fixtures.auditEntry({
          at: T(3),
          actor: { username: other },
          action: "svc/CreateVolume",
          projectId,
          resource: { kind: "Volume", id: "vol-1" },
        }),
      );
      const ids = async (f: AuditFilter) => (await audit().list({ projectId, ...f })).items.map((e) => e.id);
      expect(await ids({})).toEqual([c.id, b.id, a.id]);
      expect(await ids({ username })).toEqual([b.id, a.id]);
      expect(await ids({ action: "svc/CreateVM" })).toEqual([a.id]);
      expect(await ids({ resourceKind: "VirtualMachine" })).toEqual([b.id, a.id]);
      expect(await ids({ resourceId: "vol-1" })).toEqual([c.id]);
      expect(await ids({ outcome: "FAILURE" })).toEqual([b.id]);
      expect(await ids({ since: T(2) })).toEqual([c.id, b.id]);
      expect(await ids({ until: T(2) })).toEqual([a.id]);
      expect(await ids({ since: T(1), until: T(3), username })).toEqual([b.id, a.id]);
      expect(await ids({ username, outcome: "SUCCESS" })).toEqual([a.id]);
      expect(await audit().count({ projectId, resourceKind: "VirtualMachine" })).toBe(2);
      expect(await audit().count({ projectId: uniqueName("prj") })).toBe(0);
    });

    it("prune removes the entries before the instant, keeps the rest and says how many it removed", async () => {
      // Long before any other test's entries, so a database shared between tests loses only these.
      const at = (second: number) => `1971-01-01T00:00:${String(second).padStart(2, "0")}.000Z`;
      const username = uniqueName("actor");
      for (const second of [3, 1, 2, 0])
        await audit().append(fixtures.auditEntry({ at: at(second), actor: { username } }));
      expect(await audit().prune(at(2))).toBe(2);
      expect((await audit().list({ username })).items.map((e) => e.at)).toEqual([at(3), at(2)]);
      expect(await audit().prune(at(2))).toBe(0);
      expect(await audit().prune(at(4))).toBe(2);
      expect(await audit().count({ username })).toBe(0);
    });

    it("prune refuses an instant that is not an ISO-8601 UTC timestamp, and removes nothing", async () => {
      const username = uniqueName("actor");
      await audit().append(fixtures.auditEntry({ at: "1971-01-02T00:00:00.000Z", actor: { username } }));
      for (const bad of ["yesterday", "", 42 as unknown as string])
        await expectDomainError(audit().prune(bad), "InvalidArgument");
      expect(await audit().count({ username })).toBe(1);
      expect(await audit().prune("1971-01-03T00:00:00.000Z")).toBe(1);
    });

    it("audit entries cannot be changed: the log offers no update or delete", () => {
      const log = audit() as unknown as Record<string, unknown>;
      expect(typeof log.append).toBe("function");
      expect(log.update).toBeUndefined();
      expect(log.delete).toBeUndefined();
    });
  });
}
