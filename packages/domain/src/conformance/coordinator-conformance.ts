import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Coordinator } from "../ports/coordinator";
import { electionsSuite } from "./coordinator/elections-suite";
import {
  COORDINATOR_TEST_TIMEOUT_MS as T,
  type CoordinatorContext,
  type CoordinatorHarness,
  LEASE_TTL_MS,
} from "./coordinator/context";
import { locksSuite } from "./coordinator/locks-suite";
import { nodesSuite } from "./coordinator/nodes-suite";
import { uniqueName } from "./fixtures";
import { eventually, sleep } from "./support";

export type { CoordinatorHarness } from "./coordinator/context";

/**
 * runCoordinatorConformance registers the coordinator conformance suite: lock exclusion,
 * timeouts and aborts, fencing-token monotonicity, leader election with observation and
 * hand-over, the leased node registry, and close. Names are unique per test, so a harness may
 * share one server between tests. Lease TTLs are whole seconds (at least 1000 ms) and time is
 * moved with advanceTime; each test may take up to 20 s so real-time backends fit. The suite
 * closes every client it creates (close must be safe to call twice), then the harness.
 */
export function runCoordinatorConformance(
  adapter: string,
  makeHarness: () => Promise<CoordinatorHarness>,
): void {
  describe(`Coordinator conformance: ${adapter}`, () => {
    let h: CoordinatorHarness | undefined;
    let clients: Coordinator[] = [];
    beforeEach(async () => {
      h = await makeHarness();
      clients = [];
    });
    afterEach(async () => {
      const current = h;
      h = undefined;
      await Promise.all(clients.map((c) => c.close()));
      await current?.close();
    }, 60_000);
    const ctx = (): CoordinatorContext => ({
      client: async () => {
        const c = await h!.create();
        clients.push(c);
        return c;
      },
      advanceTime: (ms) => h!.advanceTime(ms),
      name: (prefix) => uniqueName(prefix),
    });

    locksSuite(ctx);
    electionsSuite(ctx);
    nodesSuite(ctx);

    describe("close", () => {
      it(
        "close releases locks, resigns offices and revokes leases at once, and is safe to repeat",
        async () => {
          const [c1, c2] = [await ctx().client(), await ctx().client()];
          const lock = uniqueName("lock");
          const election = uniqueName("election");
          const nodeId = uniqueName("node");
          const held = await c1.lock(lock);
          const office = await c1.campaign(election, "replica-a");
          const lease = await c1.registerNode(nodeId, { ttlMs: LEASE_TTL_MS });
          const waitingLock = c2.lock(lock);
          const waitingOffice = c2.campaign(election, "replica-b");
          await sleep(50);
          await c1.close();
          await c1.close();
          const [l2, o2] = await Promise.all([waitingLock, waitingOffice]);
          expect(l2.token).toBeGreaterThan(held.token);
          expect(o2.token).toBeGreaterThan(office.token);
          expect(office.signal.aborted).toBe(true);
          expect(lease.signal.aborted).toBe(true);
          await eventually(async () =>
            expect((await c2.liveNodes()).some((n) => n.nodeId === nodeId)).toBe(false),
          );
          expect(await c2.leader(election)).toBe("replica-b");
          await l2.release();
          await o2.resign();
        },
        T,
      );

      it(
        "a closed client's pending waits fail",
        async () => {
          const [c1, c2] = [await ctx().client(), await ctx().client()];
          const lock = uniqueName("lock");
          const held = await c2.lock(lock);
          const waiting = c1.lock(lock);
          waiting.catch(() => undefined);
          await sleep(50);
          await c1.close();
          await expect(waiting).rejects.toBeDefined();
          await held.release();
          const after = await c2.tryLock(lock);
          expect(after).toBeDefined();
          await after!.release();
        },
        T,
      );
    });
  });
}
