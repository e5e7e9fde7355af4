import { type DomainError, ErrorCode, type NodeLeaseEvent } from "@limiquantix/domain";
import { type EtcdTestServer, startPrivateEtcd } from "@limiquantix/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countKeys, eventually, layout, uniqueRoot } from "../test/support";
import { type EtcdCoordinator, createEtcdCoordinator } from "./coordinator";

const TTL_MS = 4000;
// Generous bound for "fails fast": calls carry a 1 s deadline; a hang would never return.
const FAIL_FAST_MS = 5000;

let server: EtcdTestServer;
const open: EtcdCoordinator[] = [];
// Everything the replicas report to onError (watches and renewals that failed in the background).
const reported: DomainError[] = [];
async function replica(root: string): Promise<EtcdCoordinator> {
  const c = await createEtcdCoordinator({
    endpoints: server.endpoints,
    leaseTtlMs: TTL_MS,
    callTimeoutMs: 1000,
    onError: (error) => reported.push(error),
    ...layout(root),
  });
  open.push(c);
  return c;
}

beforeAll(async () => {
  server = await startPrivateEtcd();
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await server.stop();
});

describe("etcd outages", () => {
  it("steps the leader down before its lease could expire, fails calls fast, and elects a new leader after a restart", async () => {
    const root = uniqueRoot();
    const [a, b, watcher] = [await replica(root), await replica(root), await replica(root)];
    const office = await a.campaign("ctl", "replica-a");
    const lock = await a.lock("vm-1");
    const nodeEvents: NodeLeaseEvent[] = [];
    await watcher.watchNodes((e) => nodeEvents.push(e));
    const waiting = b.campaign("ctl", "replica-b", { timeoutMs: 60_000 });
    waiting.catch(() => undefined);
    // b must be queued behind a before etcd stops (else its first grant meets the outage).
    await eventually(async () => expect(await countKeys(server.endpoints, `${root}elections/ctl/`)).toBe(2));

    let abortedAt = 0;
    office.signal.addEventListener("abort", () => {
      abortedAt = performance.now();
    });
    const stopCalledAt = performance.now();
    await server.stop();
    const stoppedAt = performance.now();

    // Calls made during the outage fail with Unavailable instead of hanging.
    for (const call of [() => a.leader("ctl"), () => b.tryLock("vm-2"), () => watcher.liveNodes()]) {
      const start = performance.now();
      await expect(call()).rejects.toMatchObject({ code: ErrorCode.Unavailable });
      expect(performance.now() - start).toBeLessThan(FAIL_FAST_MS);
    }

    await eventually(() => expect(office.signal.aborted).toBe(true), TTL_MS * 2);
    await eventually(() => expect(lock.signal.aborted).toBe(true), TTL_MS);
    const stepDownMs = abortedAt - stoppedAt;
    console.log(
      `etcd stop → leader step-down: ${Math.round(stepDownMs)} ms after etcd exited (${Math.round(abortedAt - stopCalledAt)} ms after stop was requested); lease TTL ${TTL_MS} ms`,
    );
    // Stepping down before the TTL means the lease was certainly still ours until then.
    expect(abortedAt - stopCalledAt).toBeLessThan(TTL_MS);
    expect((office.signal.reason as { code?: string }).code).toBe(ErrorCode.Unavailable);

    await server.start();

    const newOffice = await waiting;
    expect(newOffice.candidate).toBe("replica-b");
    expect(newOffice.token).toBeGreaterThan(office.token);
    expect(await watcher.leader("ctl")).toBe("replica-b");

    // The node watch resumed after the restart: a node registered now is seen joining.
    await b.registerNode("after-restart", { ttlMs: 2000 });
    await eventually(() =>
      expect(nodeEvents).toContainEqual(expect.objectContaining({ type: "joined", nodeId: "after-restart" })),
    );
    await newOffice.resign();

    // What failed in the background during the outage was reported as the outage it was.
    expect(reported.length).toBeGreaterThan(0);
    expect(
      reported.filter((e) => e.code !== ErrorCode.Unavailable).map((e) => `${e.code}: ${e.message}`),
    ).toEqual([]);
  }, 90_000);
});
