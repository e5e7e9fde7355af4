import type { Clock } from "@limiquantix/domain";
import { runSessionStoreConformance } from "@limiquantix/domain/conformance";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, type OpenedStore } from "../../test/harness";
import { SqlSessionStore } from "./sql-session-store";

/** manualClock is a Clock that moves only when advanced. */
function manualClock(start = Date.parse("2026-01-01T00:00:00.000Z")) {
  let ms = start;
  const clock: Clock = { now: () => new Date(ms) };
  return {
    clock,
    advance: async (by: number) => {
      ms += by;
    },
  };
}

// One migrated database per engine for the whole file: the suite works with users of its own
// in each test, so tests may share it.
for (const backend of BACKENDS) {
  let opened: Promise<OpenedStore> | undefined;
  const open = () => {
    opened ??= backend.open();
    return opened;
  };
  afterAll(async () => {
    await (await opened)?.close();
  });

  runSessionStoreConformance(backend.name, async () => {
    const { store } = await open();
    const time = manualClock();
    return {
      store: new SqlSessionStore(store.db, { clock: time.clock }),
      advanceTime: time.advance,
      close: async () => {},
    };
  });

  describe(`SqlSessionStore on ${backend.name}`, () => {
    let store: OpenedStore["store"];
    beforeAll(async () => {
      store = (await open()).store;
    });

    it("is the store's session store, on the store's clock", async () => {
      const s = await store.sessions.create({ userId: "store-user", secretHash: "h0", ttlMs: 60_000 });
      expect(Math.abs(Date.parse(s.createdAt) - Date.now())).toBeLessThan(60_000);
      expect(await store.sessions.get(s.id)).toEqual(s);
      expect((await store.sessions.rotate(s.id, "h0", "h1", 60_000)).outcome).toBe("rotated");
    });

    it("keeps the current secret's hash in its row, and the ended row until purged", async () => {
      const time = manualClock(Date.parse("2030-01-01T00:00:00.000Z"));
      const sessions = new SqlSessionStore(store.db, { clock: time.clock });
      const s = await sessions.create({ userId: "row-user", secretHash: "sha256:one", ttlMs: 1000 });
      await sessions.rotate(s.id, "sha256:one", "sha256:two", 1000);
      const row = await store.db.query<{ secret_hash: string; generation: number; revoked: boolean }>(
        "SELECT secret_hash, generation, revoked_at IS NOT NULL AS revoked FROM auth_sessions WHERE id = $1",
        [s.id],
      );
      expect(row.rows).toEqual([{ secret_hash: "sha256:two", generation: 1, revoked: false }]);
      expect(await sessions.revoke(s.id)).toBe(true);
      await time.advance(500);
      const rowOf = () => store.db.query("SELECT 1 FROM auth_sessions WHERE id = $1", [s.id]);
      await sessions.purge(1000);
      expect((await rowOf()).rows).toHaveLength(1);
      // The database is shared with the file's other tests, whose sessions ended long before 2030.
      expect(await sessions.purge()).toBeGreaterThanOrEqual(1);
      expect((await rowOf()).rows).toHaveLength(0);
    });

    it("purge refuses a negative retention", async () => {
      await expect(store.sessions.purge(-1)).rejects.toMatchObject({ code: "InvalidArgument" });
    });
  });
}
