import { describe, expect, it } from "vitest";
import type { NodeLeaseEvent } from "../../ports/coordinator";
import { eventually, expectDomainError } from "../support";
import { COORDINATOR_TEST_TIMEOUT_MS as T, type CoordinatorContext, LEASE_TTL_MS } from "./context";

/** nodesSuite registers tests of the leased node registry. */
export function nodesSuite(ctx: () => CoordinatorContext): void {
  describe("node registry", () => {
    const live = async (ids: readonly string[]) =>
      (await (await ctx().client()).liveNodes()).filter((n) => ids.includes(n.nodeId));

    it(
      "registerNode makes a node live with its metadata on every replica",
      async () => {
        const [c1, c2] = [await ctx().client(), await ctx().client()];
        const nodeId = ctx().name("node");
        const lease = await c1.registerNode(nodeId, {
          ttlMs: LEASE_TTL_MS,
          metadata: { address: "10.0.0.5:7443" },
        });
        expect(lease.nodeId).toBe(nodeId);
        expect(lease.ttlMs).toBe(LEASE_TTL_MS);
        expect(lease.signal.aborted).toBe(false);
        await eventually(async () =>
          expect((await c2.liveNodes()).filter((n) => n.nodeId === nodeId)).toEqual([
            { nodeId, metadata: { address: "10.0.0.5:7443" } },
          ]),
        );
        await lease.revoke();
      },
      T,
    );

    it(
      "watchNodes reports a join and, after revoke, a leave; liveNodes follows",
      async () => {
        const [c1, c2] = [await ctx().client(), await ctx().client()];
        const nodeId = ctx().name("node");
        const events: NodeLeaseEvent[] = [];
        const sub = await c2.watchNodes((e) => {
          if (e.nodeId === nodeId) events.push(e);
        });
        const lease = await c1.registerNode(nodeId, { ttlMs: LEASE_TTL_MS, metadata: { zone: "z1" } });
        await eventually(() => expect(events.map((e) => e.type)).toEqual(["joined"]));
        expect(events[0]!.metadata).toEqual({ zone: "z1" });
        await lease.revoke();
        await eventually(() => expect(events.map((e) => e.type)).toEqual(["joined", "left"]));
        expect(await live([nodeId])).toEqual([]);
        expect(lease.signal.aborted).toBe(true);
        await lease.revoke();
        await sub.unsubscribe();
      },
      T,
    );

    it(
      "a watcher that unsubscribed hears nothing more",
      async () => {
        const [c1, c2] = [await ctx().client(), await ctx().client()];
        const nodeId = ctx().name("node");
        const events: NodeLeaseEvent[] = [];
        const sub = await c2.watchNodes((e) => {
          if (e.nodeId === nodeId) events.push(e);
        });
        await sub.unsubscribe();
        await sub.unsubscribe();
        const witnessed: NodeLeaseEvent[] = [];
        const witness = await c2.watchNodes((e) => {
          if (e.nodeId === nodeId) witnessed.push(e);
        });
        const lease = await c1.registerNode(nodeId, { ttlMs: LEASE_TTL_MS });
        await lease.revoke();
        // Barrier: another watcher on the same client heard the join and the leave.
        await eventually(() => expect(witnessed.map((e) => e.type)).toEqual(["joined", "left"]));
        expect(events).toEqual([]);
        await witness.unsubscribe();
      },
      T,
    );

    it(
      "a node stays live while its client lives: leases renew themselves",
      async () => {
        const c1 = await ctx().client();
        const nodeId = ctx().name("node");
        const lease = await c1.registerNode(nodeId, { ttlMs: LEASE_TTL_MS });
        await ctx().advanceTime(3 * LEASE_TTL_MS);
        expect((await live([nodeId])).map((n) => n.nodeId)).toEqual([nodeId]);
        expect(lease.signal.aborted).toBe(false);
        await lease.revoke();
      },
      T,
    );

    it(
      "closing a client revokes its leases and other replicas see the nodes leave",
      async () => {
        const [c1, c2] = [await ctx().client(), await ctx().client()];
        const a = ctx().name("node");
        const b = ctx().name("node");
        const left: string[] = [];
        await c2.watchNodes((e) => {
          if (e.type === "left" && (e.nodeId === a || e.nodeId === b)) left.push(e.nodeId);
        });
        await c1.registerNode(a, { ttlMs: LEASE_TTL_MS });
        await c1.registerNode(b, { ttlMs: LEASE_TTL_MS });
        await eventually(async () =>
          expect((await c2.liveNodes()).filter((n) => n.nodeId === a || n.nodeId === b)).toHaveLength(2),
        );
        await c1.close();
        await eventually(() => expect([...left].sort()).toEqual([a, b].sort()));
        expect((await c2.liveNodes()).filter((n) => n.nodeId === a || n.nodeId === b)).toEqual([]);
      },
      T,
    );

    it(
      "registerNode refuses a ttlMs that is not a positive integer with InvalidArgument",
      async () => {
        const c1 = await ctx().client();
        const nodeId = ctx().name("node");
        for (const ttlMs of [0, -1000, 1.5, Number.NaN])
          await expectDomainError(c1.registerNode(nodeId, { ttlMs }), "InvalidArgument");
        expect(await live([nodeId])).toEqual([]);
      },
      T,
    );
  });
}
