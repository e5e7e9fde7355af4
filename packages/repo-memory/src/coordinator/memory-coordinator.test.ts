import { hasErrorCode, type NodeLeaseEvent } from "@limiquantix/domain";
import { describe, expect, it } from "vitest";
import { ManualClock } from "../manual-clock";
import { MemoryCoordinationBackend } from "./backend";
import { MemoryCoordinator } from "./memory-coordinator";

const code = (c: string) => (e: unknown) => hasErrorCode(e, c as never);

describe("MemoryCoordinator", () => {
  it("expireNode ends a lease as if it were not renewed: watchers hear it leave and its signal aborts", async () => {
    const backend = new MemoryCoordinationBackend();
    const c = new MemoryCoordinator({ backend });
    const events: NodeLeaseEvent[] = [];
    await c.watchNodes((e) => events.push(e));
    const lease = await c.registerNode("n1", { ttlMs: 1000, metadata: { zone: "a" } });
    expect(backend.expireNode("n1")).toBe(true);
    expect(backend.expireNode("n1")).toBe(false);
    expect(lease.signal.aborted).toBe(true);
    expect(events.map((e) => `${e.type}:${e.nodeId}`)).toEqual(["joined:n1", "left:n1"]);
    expect(await c.liveNodes()).toEqual([]);
    await lease.revoke();
    expect(events).toHaveLength(2);
  });

  it("registering a node again replaces its lease and the old lease's revoke no longer removes it", async () => {
    const c = new MemoryCoordinator();
    const first = await c.registerNode("n1", { ttlMs: 1000, metadata: { v: "1" } });
    const second = await c.registerNode("n1", { ttlMs: 1000, metadata: { v: "2" } });
    expect(first.signal.aborted).toBe(true);
    await first.revoke();
    expect(await c.liveNodes()).toEqual([{ nodeId: "n1", metadata: { v: "2" } }]);
    await second.revoke();
    expect(await c.liveNodes()).toEqual([]);
  });

  it("lock and election tokens come from one counter that only grows", async () => {
    const c = new MemoryCoordinator();
    const a = await c.lock("x");
    const b = await c.campaign("e", "me");
    const d = await c.lock("y");
    expect([a.token, b.token, d.token]).toEqual([1, 2, 3]);
  });

  it("timeouts run on the injected clock: nothing fails until it is advanced", async () => {
    const clock = new ManualClock();
    const c = new MemoryCoordinator({ clock });
    await c.lock("x");
    let failed: unknown;
    const waiting = c.lock("x", { timeoutMs: 5000 }).catch((e: unknown) => {
      failed = e;
    });
    clock.advance(4999);
    await Promise.resolve();
    expect(failed).toBeUndefined();
    clock.advance(1);
    await waiting;
    expect(hasErrorCode(failed, "Unavailable")).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it("a granted wait cancels its timer", async () => {
    const clock = new ManualClock();
    const c = new MemoryCoordinator({ clock });
    await c.lock("free", { timeoutMs: 1000 });
    expect(clock.pendingTimers).toBe(0);
  });

  it("refuses empty names, bad timeouts and calls after close", async () => {
    const c = new MemoryCoordinator();
    await expect(c.lock("")).rejects.toSatisfy(code("InvalidArgument"));
    await expect(c.campaign("e", "")).rejects.toSatisfy(code("InvalidArgument"));
    await expect(c.lock("x", { timeoutMs: -5 })).rejects.toSatisfy(code("InvalidArgument"));
    await expect(
      c.registerNode("n", { ttlMs: 1000, metadata: { k: 1 as unknown as string } }),
    ).rejects.toSatisfy(code("InvalidArgument"));
    await c.close();
    await expect(c.lock("x")).rejects.toSatisfy(code("Unavailable"));
    await expect(c.liveNodes()).rejects.toSatisfy(code("Unavailable"));
    await c.close();
  });

  it("a listener that throws breaks neither the coordinator nor other listeners", async () => {
    const c = new MemoryCoordinator();
    const seen: (string | undefined)[] = [];
    await c.observe("e", () => {
      throw new Error("observer failed");
    });
    await c.observe("e", (l) => seen.push(l));
    const office = await c.campaign("e", "a");
    await office.resign();
    expect(seen).toEqual([undefined, "a", undefined]);
  });
});
