import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NewAuthSession, SessionStore } from "../ports/session-store";
import { newSessionId } from "../ports/session-store-support";
import { uniqueName, uniqueSuffix } from "./fixtures";
import { expectDomainError } from "./support";

/** SessionStoreHarness is what a session-store adapter hands the session-store conformance suite. */
export interface SessionStoreHarness {
  readonly store: SessionStore;
  /** moves the store's time forward: its manual clock where it takes one, a real sleep otherwise */
  advanceTime(ms: number): Promise<void>;
  close(): Promise<void>;
}

const LONG = 60_000;
const SHORT = 300;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * runSessionStoreConformance registers the session-store conformance suite: create and get,
 * expiry (driven by advanceTime), rotation, theft detection on reuse, exactly one winner among
 * concurrent rotations, revoke, revokeAllForUser and input validation. Every test uses users of
 * its own, so a harness may share one server between tests. Short TTLs are a few hundred
 * milliseconds so real-time backends stay quick.
 */
export function runSessionStoreConformance(
  adapter: string,
  makeHarness: () => Promise<SessionStoreHarness>,
): void {
  describe(`SessionStore conformance: ${adapter}`, () => {
    let h: SessionStoreHarness | undefined;
    beforeEach(async () => {
      h = await makeHarness();
    });
    afterEach(async () => {
      const current = h;
      h = undefined;
      await current?.close();
    });
    const store = (): SessionStore => h!.store;
    const hash = (): string => `hash-${uniqueSuffix()}`;
    const user = (): string => uniqueName("user");
    /** login creates a session and returns it with the hash it was created with. */
    const login = async (overrides: Partial<NewAuthSession> = {}) => {
      const secretHash = overrides.secretHash ?? hash();
      const session = await store().create({ userId: user(), ttlMs: LONG, ...overrides, secretHash });
      return { session, secretHash };
    };

    it("create starts a family at generation 0 with an unguessable id, and get finds it", async () => {
      const userId = user();
      const s = await store().create({ userId, secretHash: hash(), ttlMs: LONG, data: { ip: "10.0.0.1" } });
      expect(s).toMatchObject({ userId, generation: 0, data: { ip: "10.0.0.1" } });
      expect(s.id).toMatch(/^[A-Za-z0-9_-]{32,128}$/);
      expect(s.createdAt).toMatch(ISO);
      expect(Date.parse(s.expiresAt) - Date.parse(s.createdAt)).toBe(LONG);
      expect(await store().get(s.id)).toEqual(s);
      const other = await store().create({ userId, secretHash: hash(), ttlMs: LONG });
      expect(other.id).not.toBe(s.id);
    });

    it("create keeps a given id, and refuses it with AlreadyExists while it is in use", async () => {
      const id = newSessionId();
      const { session } = await login({ id });
      expect(session.id).toBe(id);
      await expectDomainError(login({ id, userId: "someone-else" }), "AlreadyExists");
      expect(await store().get(id)).toEqual(session);
    });

    it("data defaults to {} and makes a JSON round trip; the secret hash is never returned", async () => {
      const { session: plain, secretHash } = await login();
      expect(plain.data).toEqual({});
      expect(JSON.stringify(await store().get(plain.id))).not.toContain(secretHash);
      const { session } = await login({ data: { ua: "curl/8", gone: undefined, at: new Date(0) } });
      expect(session.data).toEqual({ ua: "curl/8", at: "1970-01-01T00:00:00.000Z" });
      expect(await store().get(session.id)).toEqual(session);
    });

    it("get of an id never issued is undefined", async () => {
      expect(await store().get(newSessionId())).toBeUndefined();
    });

    it("a session is live until its TTL passes and unknown after", async () => {
      const { session, secretHash } = await login({ ttlMs: SHORT });
      await h!.advanceTime(100);
      expect(await store().get(session.id)).toEqual(session);
      await h!.advanceTime(SHORT);
      expect(await store().get(session.id)).toBeUndefined();
      expect(await store().rotate(session.id, secretHash, hash(), LONG)).toEqual({ outcome: "unknown" });
      expect(await store().revoke(session.id)).toBe(false);
    });

    it("rotate with the current hash replaces it, adds one to the generation and renews the lifetime", async () => {
      const { session, secretHash } = await login({ data: { ip: "10.0.0.2" } });
      await h!.advanceTime(100);
      const next = hash();
      const result = await store().rotate(session.id, secretHash, next, LONG + 5000);
      expect(result.outcome).toBe("rotated");
      if (result.outcome !== "rotated") return;
      const r = result.session;
      expect(r).toMatchObject({
        id: session.id,
        userId: session.userId,
        createdAt: session.createdAt,
        generation: 1,
        data: { ip: "10.0.0.2" },
      });
      expect(r.expiresAt).toMatch(ISO);
      expect(Date.parse(r.expiresAt) - Date.parse(session.createdAt)).toBeGreaterThanOrEqual(
        100 + LONG + 5000,
      );
      expect(await store().get(session.id)).toEqual(r);
      const again = await store().rotate(session.id, next, hash(), LONG);
      expect(again.outcome === "rotated" && again.session.generation).toBe(2);
    });

    it("a rotation keeps the session alive past its first expiry", async () => {
      const { session, secretHash } = await login({ ttlMs: 400 });
      await h!.advanceTime(250);
      const next = hash();
      expect((await store().rotate(session.id, secretHash, next, 600)).outcome).toBe("rotated");
      await h!.advanceTime(300);
      expect((await store().get(session.id))?.generation).toBe(1);
      await h!.advanceTime(600);
      expect(await store().get(session.id)).toBeUndefined();
      expect(await store().rotate(session.id, next, hash(), 600)).toEqual({ outcome: "unknown" });
    });

    it("presenting an old hash again is reuse: the whole family is revoked, the newest hash with it", async () => {
      const { session, secretHash: first } = await login();
      const second = hash();
      expect((await store().rotate(session.id, first, second, LONG)).outcome).toBe("rotated");
      expect(await store().rotate(session.id, first, hash(), LONG)).toEqual({ outcome: "reused" });
      expect(await store().get(session.id)).toBeUndefined();
      expect(await store().rotate(session.id, second, hash(), LONG)).toEqual({ outcome: "unknown" });
      expect(await store().revoke(session.id)).toBe(false);
    });

    it("presenting a hash the session never had is reuse too", async () => {
      const { session } = await login();
      expect(await store().rotate(session.id, hash(), hash(), LONG)).toEqual({ outcome: "reused" });
      expect(await store().get(session.id)).toBeUndefined();
    });

    it("rotate of an id never issued is unknown", async () => {
      expect(await store().rotate(newSessionId(), hash(), hash(), LONG)).toEqual({ outcome: "unknown" });
    });

    it("of two concurrent rotations with the same hash one rotates and the other is reuse, which ends the family", async () => {
      const { session, secretHash } = await login();
      const results = await Promise.all([
        store().rotate(session.id, secretHash, hash(), LONG),
        store().rotate(session.id, secretHash, hash(), LONG),
      ]);
      expect(results.map((r) => r.outcome).sort()).toEqual(["reused", "rotated"]);
      expect(await store().get(session.id)).toBeUndefined();
    });

    it("of many concurrent rotations with the same hash exactly one rotates, one is reuse, the rest find the family ended", async () => {
      const { session, secretHash } = await login();
      const results = await Promise.all(
        Array.from({ length: 8 }, () => store().rotate(session.id, secretHash, hash(), LONG)),
      );
      const count = (outcome: string) => results.filter((r) => r.outcome === outcome).length;
      expect([count("rotated"), count("reused"), count("unknown")]).toEqual([1, 1, 6]);
      expect(await store().get(session.id)).toBeUndefined();
    });

    it("concurrent rotations of different sessions all rotate", async () => {
      const logins = await Promise.all(Array.from({ length: 8 }, () => login()));
      const results = await Promise.all(
        logins.map(({ session, secretHash }) => store().rotate(session.id, secretHash, hash(), LONG)),
      );
      expect(results.map((r) => r.outcome)).toEqual(Array(8).fill("rotated"));
    });

    it("revoke ends a live session once and leaves the user's other sessions alone", async () => {
      const { session, secretHash } = await login();
      const { session: other } = await login({ userId: session.userId });
      expect(await store().revoke(session.id)).toBe(true);
      expect(await store().get(session.id)).toBeUndefined();
      expect(await store().revoke(session.id)).toBe(false);
      expect(await store().rotate(session.id, secretHash, hash(), LONG)).toEqual({ outcome: "unknown" });
      expect(await store().get(other.id)).toEqual(other);
      expect(await store().revoke(newSessionId())).toBe(false);
    });

    it("revokeAllForUser ends every live session of that user, rotated ones included, and no one else's", async () => {
      const userId = user();
      const a = await login({ userId });
      const b = await login({ userId, ttlMs: SHORT });
      const revoked = await login({ userId });
      const other = await login();
      // b outlives its first TTL only through its rotation.
      expect((await store().rotate(b.session.id, b.secretHash, hash(), LONG)).outcome).toBe("rotated");
      expect(await store().revoke(revoked.session.id)).toBe(true);
      await h!.advanceTime(SHORT + 150);
      expect(await store().revokeAllForUser(userId)).toBe(2);
      expect(await store().get(a.session.id)).toBeUndefined();
      expect(await store().get(b.session.id)).toBeUndefined();
      expect(await store().get(other.session.id)).toEqual(other.session);
      expect(await store().revokeAllForUser(userId)).toBe(0);
      expect(await store().revokeAllForUser(user())).toBe(0);
    });

    it("revokeAllForUser does not count sessions that already expired", async () => {
      const userId = user();
      await login({ userId, ttlMs: SHORT });
      await login({ userId });
      await h!.advanceTime(SHORT + 150);
      expect(await store().revokeAllForUser(userId)).toBe(1);
    });

    it("a user may log in again after revokeAllForUser", async () => {
      const userId = user();
      await login({ userId });
      await store().revokeAllForUser(userId);
      const { session } = await login({ userId });
      expect(await store().get(session.id)).toEqual(session);
    });

    describe("input validation", () => {
      const bad: [string, Record<string, unknown>, string][] = [
        ["an empty userId", { userId: "" }, "userId"],
        ["a missing secretHash", { secretHash: undefined }, "secretHash"],
        ["an empty secretHash", { secretHash: "" }, "secretHash"],
        ["a ttlMs of 0", { ttlMs: 0 }, "ttlMs"],
        ["a negative ttlMs", { ttlMs: -1 }, "ttlMs"],
        ["a fractional ttlMs", { ttlMs: 1.5 }, "ttlMs"],
        ["a NaN ttlMs", { ttlMs: Number.NaN }, "ttlMs"],
        ["a short id", { id: "abc" }, "id"],
        ["an id with a slash", { id: `${newSessionId()}/x` }, "id"],
        ["data that is an array", { data: [1] }, "data"],
        ["data JSON cannot carry", { data: { n: 10n } }, "data"],
        ["data over 4096 bytes", { data: { blob: "x".repeat(5000) } }, "data"],
        ["an unknown field", { ttl: 5 }, "ttl"],
      ];
      for (const [what, patch, field] of bad) {
        it(`create refuses ${what} with InvalidArgument naming ${field}, and stores nothing`, async () => {
          const userId = user();
          const input = { userId, secretHash: hash(), ttlMs: LONG, ...patch } as unknown as NewAuthSession;
          const error = await expectDomainError(store().create(input), "InvalidArgument");
          expect(error.message).toContain(field);
          if (patch.userId === undefined) expect(await store().revokeAllForUser(userId)).toBe(0);
        });
      }

      it("rotate refuses empty hashes, a bad TTL, an unchanged hash and a malformed id, and changes nothing", async () => {
        const { session, secretHash } = await login();
        const cases: [Promise<unknown>, string][] = [
          [store().rotate(session.id, "", hash(), LONG), "presentedSecretHash"],
          [store().rotate(session.id, secretHash, "", LONG), "nextSecretHash"],
          [store().rotate(session.id, secretHash, hash(), 0), "ttlMs"],
          [store().rotate(session.id, secretHash, hash(), 2.5), "ttlMs"],
          [store().rotate(session.id, secretHash, secretHash, LONG), "nextSecretHash"],
          [store().rotate("", secretHash, hash(), LONG), "id"],
          [store().rotate("not a session id", secretHash, hash(), LONG), "id"],
        ];
        for (const [call, field] of cases) {
          const error = await expectDomainError(call, "InvalidArgument");
          expect(error.message).toContain(field);
        }
        expect(await store().get(session.id)).toEqual(session);
      });

      it("get, revoke and revokeAllForUser refuse empty or malformed arguments", async () => {
        for (const call of [
          store().get(""),
          store().revoke(""),
          store().get("a b"),
          store().revoke("short"),
        ]) {
          expect((await expectDomainError(call, "InvalidArgument")).message).toContain("id");
        }
        const error = await expectDomainError(store().revokeAllForUser(""), "InvalidArgument");
        expect(error.message).toContain("userId");
      });
    });
  });
}
