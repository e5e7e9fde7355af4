import { ErrorCode, type NodeLeaseEvent } from "@limiquantix/domain";
import { testEtcd } from "@limiquantix/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { coordinatorOnTestEtcd, countKeys, eventually, sleep, uniqueRoot } from "../test/support";
import { type EtcdCoordinator, createEtcdCoordinator } from "./coordinator";

const open: EtcdCoordinator[] = [];
async function replica(root: string, ttl = 4000): Promise<EtcdCoordinator> {
  const c = await coordinatorOnTestEtcd(root, { leaseTtlMs: ttl });
  open.push(c);
  return c;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

describe("EtcdCoordinator elections", () => {
  it("elects one candidate, names it as leader, and hands office over on resign", async () => {
    const root = uniqueRoot();
    const [a, b] = [await replica(root), await replica(root)];
    const la = await a.campaign("ctl", "replica-a");
    expect(await b.leader("ctl")).toBe("replica-a");
    const pending = b.campaign("ctl", "replica-b");
    await sleep(200);
    expect(await a.leader("ctl")).toBe("replica-a");
    await la.resign();
    expect(la.signal.aborted).toBe(true);
    const lb = await pending;
    expect(lb.token).toBeGreaterThan(la.token);
    expect(await a.leader("ctl")).toBe("replica-b");
    await lb.resign();
    expect(await a.leader("ctl")).toBeUndefined();
  });

  it("reports every change of leader to observers", async () => {
    const root = uniqueRoot();
    const [a, b, watcher] = [await replica(root), await replica(root), await replica(root)];
    const seen: (string | undefined)[] = [];
    const sub = await watcher.observe("ctl", (l) => seen.push(l));
    const la = await a.campaign("ctl", "a");
    const pb = b.campaign("ctl", "b");
    await eventually(() => expect(seen).toEqual([undefined, "a"]));
    // b is queued behind a, so a's resignation hands office straight to b.
    const server = await testEtcd();
    await eventually(async () => expect(await countKeys(server.endpoints, `${root}elections/ctl/`)).toBe(2));
    await la.resign();
    const lb = await pb;
    await eventually(() => expect(seen).toEqual([undefined, "a", "b"]));
    await lb.resign();
    await eventually(() => expect(seen).toEqual([undefined, "a", "b", undefined]));
    await sub.unsubscribe();
  });

  it("times out a campaign with Unavailable and leaves no key behind", async () => {
    const root = uniqueRoot();
    const [a, b] = [await replica(root), await replica(root)];
    const la = await a.campaign("ctl", "a");
    await expect(b.campaign("ctl", "b", { timeoutMs: 300 })).rejects.toMatchObject({
      code: ErrorCode.Unavailable,
    });
    await la.resign();
    expect(await a.leader("ctl")).toBeUndefined();
  });

  it("steps a leader down when its key is deleted behind its back", async () => {
    const root = uniqueRoot();
    const a = await replica(root);
    const la = await a.campaign("ctl", "a");
    const server = await testEtcd();
    const { Etcd3 } = await import("etcd3");
    const raw = new Etcd3({ hosts: server.endpoints as string[] });
    await raw.delete().prefix(`${root}elections/ctl/`);
    raw.close();
    await eventually(() => expect(la.signal.aborted).toBe(true));
  });
});

describe("EtcdCoordinator locks", () => {
  it("excludes a second holder and grants increasing fencing tokens", async () => {
    const root = uniqueRoot();
    const [a, b] = [await replica(root), await replica(root)];
    const h1 = await a.lock("vm-1");
    expect(await b.tryLock("vm-1")).toBeUndefined();
    const waiting = b.lock("vm-1");
    let got = false;
    void waiting.then(() => {
      got = true;
    });
    await sleep(200);
    expect(got).toBe(false);
    await h1.release();
    await h1.release();
    const h2 = await waiting;
    expect(h2.token).toBeGreaterThan(h1.token);
    await h2.release();
    const h3 = await a.tryLock("vm-1");
    expect(h3?.token).toBeGreaterThan(h2.token);
    await h3?.release();
  });

  it("serialises many contenders: never two holders at once", async () => {
    const root = uniqueRoot();
    const replicas = await Promise.all([replica(root), replica(root), replica(root)]);
    let holders = 0;
    let max = 0;
    const tokens: number[] = [];
    await Promise.all(
      Array.from({ length: 9 }, async (_, i) => {
        const h = await replicas[i % 3]!.lock("shared");
        holders++;
        max = Math.max(max, holders);
        tokens.push(h.token);
        await sleep(20);
        holders--;
        await h.release();
      }),
    );
    expect(max).toBe(1);
    expect(tokens).toEqual([...tokens].sort((x, y) => x - y));
  });

  it("fails a timed-out lock with Unavailable", async () => {
    const root = uniqueRoot();
    const [a, b] = [await replica(root), await replica(root)];
    const h = await a.lock("x");
    const start = Date.now();
    await expect(b.lock("x", { timeoutMs: 300 })).rejects.toMatchObject({ code: ErrorCode.Unavailable });
    expect(Date.now() - start).toBeLessThan(5000);
    await h.release();
  });

  it("hands the lock to a waiter when the holder's replica closes", async () => {
    const root = uniqueRoot();
    const [a, b] = [await replica(root), await replica(root)];
    await a.lock("x");
    const waiting = b.lock("x");
    await a.close();
    const h = await waiting;
    expect(h.signal.aborted).toBe(false);
    await h.release();
  });

  it("rejects names with a slash and empty candidates", async () => {
    const a = await replica(uniqueRoot());
    await expect(a.lock("a/b")).rejects.toMatchObject({ code: ErrorCode.InvalidArgument });
    await expect(a.campaign("e", "")).rejects.toMatchObject({ code: ErrorCode.InvalidArgument });
  });
});

describe("EtcdCoordinator node registry", () => {
  it("lists live nodes and reports joins, revocations and expiries", async () => {
    const root = uniqueRoot();
    const [a, watcher] = [await replica(root), await replica(root)];
    const events: NodeLeaseEvent[] = [];
    const sub = await watcher.watchNodes((e) => events.push(e));
    const n1 = await a.registerNode("node-1", { ttlMs: 2000, metadata: { zone: "a" } });
    await a.registerNode("node-2", { ttlMs: 2000 });
    await eventually(async () =>
      expect((await watcher.liveNodes()).map((n) => n.nodeId).sort()).toEqual(["node-1", "node-2"]),
    );
    expect((await watcher.liveNodes()).find((n) => n.nodeId === "node-1")?.metadata).toEqual({ zone: "a" });
    await n1.revoke();
    await eventually(() => expect(events).toContainEqual({ type: "left", nodeId: "node-1" }));
    expect(events).toContainEqual({ type: "joined", nodeId: "node-1", metadata: { zone: "a" } });
    // Closing a's client without revoking lets node-2's lease expire on its own.
    open.splice(open.indexOf(a), 1);
    (a as unknown as { client: { close(): void } }).client.close();
    await eventually(() => expect(events).toContainEqual({ type: "left", nodeId: "node-2" }), 15_000);
    expect(await watcher.liveNodes()).toEqual([]);
    await sub.unsubscribe();
  });

  it("rejects a non-string metadata value", async () => {
    const a = await replica(uniqueRoot());
    await expect(
      a.registerNode("n", { ttlMs: 2000, metadata: { cpu: 4 as unknown as string } }),
    ).rejects.toThrow(/metadata.cpu must be a string/);
  });
});

describe("createEtcdCoordinator", () => {
  it("fails with Unavailable in bounded time when etcd cannot be reached", async () => {
    const start = Date.now();
    await expect(
      createEtcdCoordinator({ endpoints: ["http://127.0.0.1:1"], callTimeoutMs: 1000 }),
    ).rejects.toMatchObject({ code: ErrorCode.Unavailable });
    expect(Date.now() - start).toBeLessThan(5000);
  });

  it("rejects a malformed endpoint with InvalidArgument", async () => {
    await expect(createEtcdCoordinator({ endpoints: ["127.0.0.1:2379"] })).rejects.toMatchObject({
      code: ErrorCode.InvalidArgument,
    });
  });
});
