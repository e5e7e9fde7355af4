import { describe, expect, it } from "vitest";
import { FILTER_KEYS, type ListFilter } from "../../ports/list-filter";
import { RESOURCES } from "../../resources";
import { expectDomainError } from "../support";
import {
  clone,
  type Input,
  type KindCase,
  Parents,
  repoOf,
  SCOPE_LABEL,
  scopeFilter,
  scopeToken,
  setPath,
  valueAt,
} from "./kind-cases";
import type { RepositoryHarness } from "./harness";

/** kindSuite registers CRUD, versioning, uniqueness, validation and filter tests for one kind. */
export function kindSuite(kase: KindCase, harness: () => RepositoryHarness): void {
  const descriptor = RESOURCES[kase.kind];
  const repo = () => repoOf(harness().repos, kase.key);

  async function make(
    parents?: Parents,
    labels: Record<string, string> = {},
    token = scopeToken(),
  ): Promise<Input> {
    return kase.input(parents ?? new Parents(harness().repos), { [SCOPE_LABEL]: token, ...labels });
  }

  describe(`${kase.kind} (${kase.key})`, () => {
    it("create stores the input and returns it with a positive resourceVersion and both timestamps", async () => {
      const input = await make();
      const created = await repo().create(input);
      expect(created.id).toBe(input.id);
      expect(Number.isSafeInteger(created.resourceVersion) && created.resourceVersion >= 1).toBe(true);
      expect(Number.isNaN(Date.parse(created.createdAt))).toBe(false);
      expect(created.updatedAt).toBe(created.createdAt);
      expect(created.labels).toEqual(input.labels);
      expect(repo().kind).toBe(kase.kind);
      expect(await repo().get(created.id)).toEqual(created);
      expect(await repo().find(created.id)).toEqual(created);
    });

    it("get of a missing id is NotFound and find is undefined", async () => {
      const missing = `missing-${scopeToken()}`;
      const error = await expectDomainError(repo().get(missing), "NotFound");
      expect(error.message).toContain(missing);
      expect(await repo().find(missing)).toBeUndefined();
    });

    it("update stores the change, raises resourceVersion and keeps createdAt", async () => {
      const created = await repo().create(await make());
      const updated = await repo().update({ ...created, labels: { ...created.labels, touched: "yes" } });
      expect(updated.resourceVersion).toBeGreaterThan(created.resourceVersion);
      expect(updated.createdAt).toBe(created.createdAt);
      expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.updatedAt));
      expect(updated.labels.touched).toBe("yes");
      expect(await repo().get(created.id)).toEqual(updated);
    });

    it("update with a stale resourceVersion is Conflict and stores nothing", async () => {
      const created = await repo().create(await make());
      const first = await repo().update({ ...created, labels: { ...created.labels, round: "one" } });
      const error = await expectDomainError(
        repo().update({ ...created, labels: { ...created.labels, round: "two" } }),
        "Conflict",
      );
      expect(error.isRetryable ?? true).toBe(true);
      expect(await repo().get(created.id)).toEqual(first);
    });

    it("concurrent updates of the same version: exactly one wins, the other is Conflict", async () => {
      const created = await repo().create(await make());
      const results = await Promise.allSettled([
        repo().update({ ...created, labels: { ...created.labels, writer: "a" } }),
        repo().update({ ...created, labels: { ...created.labels, writer: "b" } }),
      ]);
      const won = results.filter((r) => r.status === "fulfilled");
      const lost = results.filter((r) => r.status === "rejected");
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      await expectDomainError(Promise.reject((lost[0] as PromiseRejectedResult).reason), "Conflict");
      const winner = (won[0] as PromiseFulfilledResult<typeof created>).value;
      expect(winner.resourceVersion).toBeGreaterThan(created.resourceVersion);
      expect(await repo().get(created.id)).toEqual(winner);
    });

    it("update of a missing resource is NotFound", async () => {
      const created = await repo().create(await make());
      await repo().delete(created.id);
      await expectDomainError(repo().update(created), "NotFound");
      expect(await repo().find(created.id)).toBeUndefined();
    });

    it("delete removes the resource; deleting it again is NotFound", async () => {
      const created = await repo().create(await make());
      await repo().delete(created.id);
      expect(await repo().find(created.id)).toBeUndefined();
      await expectDomainError(repo().get(created.id), "NotFound");
      await expectDomainError(repo().delete(created.id), "NotFound");
    });

    it("delete with a stale expectedVersion is Conflict and keeps the resource; the current one deletes", async () => {
      const created = await repo().create(await make());
      const updated = await repo().update({ ...created, labels: { ...created.labels, v: "2" } });
      await expectDomainError(repo().delete(created.id, created.resourceVersion), "Conflict");
      expect(await repo().get(created.id)).toEqual(updated);
      await repo().delete(created.id, updated.resourceVersion);
      expect(await repo().find(created.id)).toBeUndefined();
    });

    it("a duplicate id is AlreadyExists and the first resource is kept", async () => {
      const parents = new Parents(harness().repos);
      const created = await repo().create(await make(parents));
      const second = await make(parents);
      second.id = created.id;
      await expectDomainError(repo().create(second), "AlreadyExists");
      expect(await repo().get(created.id)).toEqual(created);
    });

    for (const unique of descriptor.uniqueKeys) {
      it(`a second ${kase.kind} with the same ${unique.description} is AlreadyExists`, async () => {
        const parents = new Parents(harness().repos);
        const token = scopeToken();
        const first = await repo().create(await make(parents, {}, token));
        const second = await make(parents, {}, token);
        for (const f of unique.fields) setPath(second, f, clone(valueAt(first, f)));
        await expectDomainError(repo().create(second), "AlreadyExists");
        expect(await repo().find(second.id as string)).toBeUndefined();
        expect(await repo().count(scopeFilter(token))).toBe(1);
      });

      it(`update onto another ${kase.kind}'s ${unique.description} is AlreadyExists and stores nothing`, async () => {
        const parents = new Parents(harness().repos);
        const a = await repo().create(await make(parents));
        const b = await repo().create(await make(parents));
        const next = clone(b) as unknown as Input;
        for (const f of unique.fields) setPath(next, f, clone(valueAt(a, f)));
        await expectDomainError(repo().update(next as unknown as typeof b), "AlreadyExists");
        expect(await repo().get(b.id)).toEqual(b);
      });

      if (unique.fields.length > 1) {
        const last = unique.fields[unique.fields.length - 1]!;
        it(`the same ${last} in another scope is allowed (${unique.description})`, async () => {
          const a = await repo().create(await make(new Parents(harness().repos)));
          const other = await make(new Parents(harness().repos));
          setPath(other, last, clone(valueAt(a, last)));
          const b = await repo().create(other);
          expect(valueAt(b, last)).toEqual(valueAt(a, last));
        });
      }
    }

    it(`invalid input is InvalidArgument naming ${kase.invalid.field}, and stores nothing`, async () => {
      const token = scopeToken();
      const input = await make(undefined, {}, token);
      kase.invalid.apply(input);
      const error = await expectDomainError(repo().create(input), "InvalidArgument");
      const fields = (error.details.fieldViolations ?? []).map((v) => v.field);
      expect(
        fields.some((f) => f.endsWith(kase.invalid.field)),
        `violations: ${fields.join(", ")}`,
      ).toBe(true);
      expect(error.message).toContain(kase.invalid.field);
      expect(await repo().find(input.id as string)).toBeUndefined();
      expect((await repo().list(scopeFilter(token))).total).toBe(0);
    });

    it("an invalid update is InvalidArgument and leaves the stored resource unchanged", async () => {
      const created = await repo().create(await make());
      const next = clone(created) as unknown as Input;
      kase.invalid.apply(next);
      await expectDomainError(repo().update(next as unknown as typeof created), "InvalidArgument");
      expect(await repo().get(created.id)).toEqual(created);
    });

    it("input that is not an object is InvalidArgument", async () => {
      await expectDomainError(repo().create(null), "InvalidArgument");
      await expectDomainError(repo().create("a string"), "InvalidArgument");
    });

    it("returned resources are copies: changing one changes nothing stored", async () => {
      const created = await repo().create(await make());
      (created.labels as Record<string, string>).mutated = "yes";
      const read = await repo().get(created.id);
      expect(read.labels.mutated).toBeUndefined();
      (read.labels as Record<string, string>).mutated = "again";
      expect((await repo().get(created.id)).labels.mutated).toBeUndefined();
    });

    it("lists by label selector, and count agrees with the list total", async () => {
      const token = scopeToken();
      const parents = new Parents(harness().repos);
      const web = await repo().create(await make(parents, { tier: "web" }, token));
      await repo().create(await make(parents, { tier: "db" }, token));
      await repo().create(await make(parents, {}, token));
      const page = await repo().list(scopeFilter(token, { labelSelector: "tier=web" }));
      expect(page.items.map((r) => r.id)).toEqual([web.id]);
      expect(page.total).toBe(1);
      expect(await repo().count(scopeFilter(token))).toBe(3);
      expect((await repo().list(scopeFilter(token))).total).toBe(3);
    });

    if (kase.named) {
      it(`findByName finds by ${descriptor.nameField}${descriptor.projectScoped ? " within the project" : ""}`, async () => {
        const created = await repo().create(await make());
        const name = valueAt(created, descriptor.nameField) as string;
        const projectId = descriptor.projectScoped ? (valueAt(created, "projectId") as string) : undefined;
        expect(await repo().findByName(name, projectId)).toEqual(created);
        expect(await repo().findByName(`absent-${scopeToken()}`, projectId)).toBeUndefined();
        if (descriptor.projectScoped)
          expect(await repo().findByName(name, `other-project-${scopeToken()}`)).toBeUndefined();
      });
    }

    for (const [key, path] of Object.entries(descriptor.filters)) {
      if (key === "state") {
        const [s1, s2] = kase.states ?? [];
        if (!s1 || !s2) continue;
        it(`filters by state (${path}): one state, several states, none`, async () => {
          const token = scopeToken();
          const parents = new Parents(harness().repos);
          const i1 = await make(parents, {}, token);
          setPath(i1, path, s1);
          const i2 = await make(parents, {}, token);
          setPath(i2, path, s2);
          const a = await repo().create(i1);
          const b = await repo().create(i2);
          const only1 = await repo().list(scopeFilter(token, { states: [s1] }));
          expect(only1.items.map((r) => r.id)).toEqual([a.id]);
          expect(only1.total).toBe(1);
          const both = await repo().list(scopeFilter(token, { states: [s1, s2] }));
          expect(both.items.map((r) => r.id).sort()).toEqual([a.id, b.id].sort());
          expect(await repo().count(scopeFilter(token, { states: [s2] }))).toBe(1);
          expect((await repo().list(scopeFilter(token, { states: [] }))).total).toBe(2);
        });
        continue;
      }
      it(`filters by ${key} (${path})`, async () => {
        const token = scopeToken();
        const a = await repo().create(await make(new Parents(harness().repos), {}, token));
        const b = await repo().create(await make(new Parents(harness().repos), {}, token));
        const value = valueAt(a, path);
        expect(typeof value, `the ${kase.kind} fixture sets ${path}`).toBe("string");
        expect(valueAt(b, path)).not.toBe(value);
        const page = await repo().list({ [key]: value } as ListFilter);
        expect(page.items.map((r) => r.id)).toEqual([a.id]);
        expect(page.total).toBe(1);
        expect(await repo().count({ [key]: valueAt(b, path) } as ListFilter)).toBe(1);
        expect((await repo().list(scopeFilter(token, { [key]: `absent-${token}` }))).total).toBe(0);
      });
    }

    const unsupported = FILTER_KEYS.filter((k) => descriptor.filters[k] === undefined);
    if (unsupported.length > 0) {
      it(`refuses filters that do not apply to ${kase.kind} (${unsupported.join(", ")}) with InvalidArgument`, async () => {
        for (const key of unsupported) {
          const filter = (key === "state" ? { states: ["X"] } : { [key]: "x" }) as ListFilter;
          const error = await expectDomainError(repo().list(filter), "InvalidArgument");
          expect(error.message).toContain(key === "state" ? "states" : key);
          await expectDomainError(repo().count(filter), "InvalidArgument");
        }
      });
    }

    it("refuses an unknown filter key and a malformed label selector with InvalidArgument", async () => {
      await expectDomainError(repo().list({ bogus: "x" } as unknown as ListFilter), "InvalidArgument");
      const error = await expectDomainError(repo().list({ labelSelector: "a in (b" }), "InvalidArgument");
      expect(error.message).toContain("labelSelector");
    });
  });
}
