import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-node";
import { alert, common, compute, drs, network, storage } from "@limiquantix/api";
import { eventually } from "@limiquantix/domain/conformance";
import { afterEach, describe, expect, it } from "vitest";
import { type RpcHarness, startRpcHarness } from "../testing/rpc-harness";

let h: RpcHarness;
afterEach(async () => {
  await h?.close();
});

const small = { vcpus: 1, memoryMib: 512n };

/** Collector reads a watch stream in the background and keeps what arrived. */
class Collector<M> {
  readonly got: M[] = [];
  error: ConnectError | undefined;
  readonly done: Promise<void>;
  private readonly abort = new AbortController();
  constructor(open: (signal: AbortSignal) => AsyncIterable<M>) {
    this.done = (async () => {
      try {
        for await (const m of open(this.abort.signal)) this.got.push(m);
      } catch (e) {
        const ce = ConnectError.from(e);
        if (ce.code !== Code.Canceled) this.error = ce;
      }
    })();
  }
  async until(pred: (got: readonly M[]) => boolean, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pred(this.got)) {
      if (this.error) throw this.error;
      if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(this.got.map(String))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}

type VmsEvent = compute.WatchVMsResponse;
const brief = (e: VmsEvent) => `${common.EventType[e.type]}:${e.vm?.name ?? ""}`;

describe("WatchVMs", () => {
  for (const [name, transport] of [
    ["gRPC", (x: RpcHarness): Transport => x.grpc],
    ["Connect over HTTP/1.1", (x: RpcHarness): Transport => x.connect],
    [
      "gRPC-Web",
      (x: RpcHarness): Transport => createGrpcWebTransport({ baseUrl: x.baseUrl, httpVersion: "1.1" }),
    ],
  ] as const) {
    it(`lists, bookmarks, then streams every change, over ${name}`, async () => {
      h = await startRpcHarness();
      await h.registerNode("n1", 4, 16384);
      const vms = createClient(compute.VMService, transport(h));
      await vms.createVM({ projectId: h.projectId, name: "before", spec: small });
      const listeners = h.services.relay.listenerCount;
      const w = new Collector<VmsEvent>((signal) => vms.watchVMs({}, { signal }));
      await w.until((got) => got.some((e) => e.type === common.EventType.BOOKMARK));
      expect(w.got.map(brief)).toEqual(["CREATED:before", "BOOKMARK:"]);
      const { vm } = await vms.createVM({ projectId: h.projectId, name: "after", spec: small });
      await vms.updateVM({ id: vm!.id, labels: { tier: "web" } });
      await vms.deleteVM({ id: vm!.id });
      await w.until((got) => got.some((e) => brief(e) === "DELETED:after"));
      const after = w.got.slice(2).map(brief);
      expect(after[0]).toBe("CREATED:after");
      expect(after.at(-1)).toBe("DELETED:after");
      expect(after.slice(1, -1).every((e) => e === "UPDATED:after")).toBe(true);
      const revisions = w.got.map((e) => e.resourceVersion);
      expect(revisions).toEqual([...revisions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      expect(h.services.relay.listenerCount).toBe(listeners + 1);
      await w.close();
      // The client went away: the stream ends on the server and stops listening to the relay.
      await eventually(() => expect(h.services.relay.listenerCount).toBe(listeners));
    });
  }

  it("sends DELETED for a VM that stops matching its label selector, and ADDED when it matches again", async () => {
    h = await startRpcHarness();
    await h.registerNode("n1", 4, 16384);
    const vms = h.client(compute.VMService, h.grpc);
    const { vm } = await vms.createVM({
      projectId: h.projectId,
      name: "web",
      spec: small,
      labels: { tier: "web" },
    });
    const w = new Collector<VmsEvent>((signal) => vms.watchVMs({ labelSelector: "tier=web" }, { signal }));
    await w.until((got) => got.length === 2);
    await vms.updateVM({ id: vm!.id, labels: { tier: "db" } });
    await w.until((got) => got.length === 3);
    await vms.updateVM({ id: vm!.id, labels: { tier: "web" } });
    await w.until((got) => got.length === 4);
    expect(w.got.map(brief)).toEqual(["CREATED:web", "BOOKMARK:", "DELETED:web", "CREATED:web"]);
    await w.close();
  });

  it("resumes after a revision with every later change exactly once and in order", async () => {
    h = await startRpcHarness();
    await h.registerNode("n1", 4, 16384);
    const vms = h.client(compute.VMService, h.grpc);
    const first = new Collector<VmsEvent>((signal) => vms.watchVMs({}, { signal }));
    await first.until((got) => got.length === 1);
    const from = first.got[0]!.resourceVersion;
    await first.close();
    for (const name of ["a", "b", "c"]) await vms.createVM({ projectId: h.projectId, name, spec: small });
    const resumed = new Collector<VmsEvent>((signal) => vms.watchVMs({ resourceVersion: from }, { signal }));
    await resumed.until((got) => got.filter((e) => e.type === common.EventType.CREATED).length === 3);
    const created = resumed.got.filter((e) => e.type === common.EventType.CREATED).map((e) => e.vm?.name);
    expect(created).toEqual(["a", "b", "c"]);
    expect(resumed.got.every((e) => e.resourceVersion > from)).toBe(true);
    await resumed.close();
  });

  it("refuses to resume from a revision the log no longer holds, telling the client to list again", async () => {
    h = await startRpcHarness();
    await h.registerNode("n1", 4, 16384);
    const vms = h.client(compute.VMService, h.grpc);
    for (const name of ["a", "b", "c"]) await vms.createVM({ projectId: h.projectId, name, spec: small });
    await h.adapters.changeLog.compact({ maxEntries: 1 });
    const w = new Collector<VmsEvent>((signal) => vms.watchVMs({ resourceVersion: 1n }, { signal }));
    await w.done;
    expect(w.error?.code).toBe(Code.FailedPrecondition);
    expect(w.error?.rawMessage).toMatch(/too old|list again/i);
  });

  it("cuts off a watcher that falls behind with the revision to resume from, without holding up another", async () => {
    h = await startRpcHarness({ watch: { bufferSize: 10 } });
    await h.registerNode("n1", 4, 16384);
    const vms = h.client(compute.VMService, h.grpc);
    const { vm } = await vms.createVM({
      projectId: h.projectId,
      name: "busy",
      spec: small,
      labels: { n: "0" },
    });
    const fast = new Collector<VmsEvent>((signal) => vms.watchVMs({}, { signal }));
    await fast.until((got) => got.length === 2);
    // A watcher that reads its first message and then nothing, while far more changes happen
    // than its transport buffers.
    const slow = vms.watchVMs({})[Symbol.asyncIterator]();
    await slow.next();
    const updates = 400;
    for (let i = 1; i <= updates; i++)
      await vms.updateVM({ id: vm!.id, labels: { n: String(i), pad: "x".repeat(60) } });
    await fast.until((got) => got.some((e) => e.vm?.labels.n === String(updates)));
    const err = await (async () => {
      for (;;) {
        const r = await slow.next();
        if (r.done) return undefined;
      }
    })().catch((e: unknown) => ConnectError.from(e));
    expect(err?.code).toBe(Code.ResourceExhausted);
    expect(err?.rawMessage).toMatch(/resource_version \d+/);
    await fast.close();
  }, 30_000);

  it("sends a bookmark on a quiet stream", async () => {
    h = await startRpcHarness({ watch: { bookmarkIntervalSec: 0.2 } });
    const vms = h.client(compute.VMService, h.grpc);
    const w = new Collector<VmsEvent>((signal) => vms.watchVMs({}, { signal }));
    await w.until((got) => got.filter((e) => e.type === common.EventType.BOOKMARK).length >= 2, 3000);
    await w.close();
  });
});

describe("WatchVM and WatchNodes", () => {
  it("follows one VM, and answers NotFound for one that does not exist", async () => {
    h = await startRpcHarness();
    await h.registerNode("n1", 4, 16384);
    const vms = h.client(compute.VMService, h.grpc);
    const { vm } = await vms.createVM({ projectId: h.projectId, name: "one", spec: small });
    await vms.createVM({ projectId: h.projectId, name: "other", spec: small });
    const w = new Collector<compute.WatchVMResponse>((signal) => vms.watchVM({ id: vm!.id }, { signal }));
    await vms.updateVM({ id: vm!.id, labels: { x: "y" } });
    await w.until((got) => got.some((e) => e.type === common.EventType.UPDATED));
    expect(w.got.every((e) => !e.vm || e.vm.id === vm!.id)).toBe(true);
    await w.close();
    const missing = new Collector<compute.WatchVMResponse>((signal) =>
      vms.watchVM({ id: "nope" }, { signal }),
    );
    await missing.done;
    expect(missing.error?.code).toBe(Code.NotFound);
  });

  it("streams nodes as agents register and are cordoned", async () => {
    h = await startRpcHarness();
    const nodes = h.client(compute.NodeService, h.grpc);
    const w = new Collector<compute.WatchNodesResponse>((signal) => nodes.watchNodes({}, { signal }));
    await w.until((got) => got.length === 1);
    const id = await h.registerNode("n1", 4, 16384);
    await nodes.cordonNode({ id });
    await w.until((got) => got.some((e) => e.type === common.EventType.UPDATED && e.node?.spec?.cordoned));
    expect(common.EventType[w.got[1]!.type]).toBe("CREATED");
    await w.close();
  });
});

describe("WatchVolumes and WatchVirtualNetworks", () => {
  it("stream volumes as they are created, attached and deleted", async () => {
    h = await startRpcHarness();
    const pools = h.client(storage.StoragePoolService, h.grpc);
    const volumes = h.client(storage.VolumeService, h.grpc);
    const { storagePool } = await pools.createStoragePool({
      name: "p",
      spec: { type: storage.StoragePoolType.LOCAL_DIR, capacityGib: 100n, overprovisionRatio: 1 },
    });
    const w = new Collector<storage.WatchVolumesResponse>((signal) =>
      volumes.watchVolumes({ poolId: storagePool!.id }, { signal }),
    );
    await w.until((got) => got.length === 1);
    const { volume } = await volumes.createVolume({
      name: "data",
      projectId: h.projectId,
      spec: { poolId: storagePool!.id, sizeGib: 5n },
    });
    await volumes.deleteVolume({ id: volume!.id });
    await w.until((got) => got.some((e) => e.type === common.EventType.DELETED));
    expect(w.got[1]).toMatchObject({ type: common.EventType.CREATED });
    expect(w.got.at(-1)?.volume?.name).toBe("data");
    await w.close();

    const networks = h.client(network.VirtualNetworkService, h.grpc);
    const n = new Collector<network.WatchVirtualNetworksResponse>((signal) =>
      networks.watchVirtualNetworks({ projectId: "default" }, { signal }),
    );
    await n.until((got) => got.length === 1);
    await networks.createVirtualNetwork({
      projectId: "default",
      name: "lan",
      spec: { type: network.NetworkType.OVERLAY, cidr: "10.30.0.0/24" },
    });
    await n.until((got) => got.some((e) => e.virtualNetwork?.name === "lan"));
    await n.close();
  });
});

describe("WatchAlerts and WatchRecommendations", () => {
  it("stream alerts raised and resolved, and DRS recommendations proposed and applied", async () => {
    h = await startRpcHarness();
    const alerts = h.client(alert.AlertService, h.grpc);
    const w = new Collector<alert.WatchAlertsResponse>((signal) =>
      alerts.watchAlerts({ severities: [alert.AlertSeverity.CRITICAL] }, { signal }),
    );
    await w.until((got) => got.length === 1);
    const raised = await h.adapters.repositories.alerts.create({
      id: "a1",
      severity: "CRITICAL",
      source: { kind: "Node", id: "n1" },
      title: "node n1 failed",
      fingerprint: "node-failed/n1",
    });
    await h.adapters.repositories.alerts.create({
      id: "a2",
      severity: "INFO",
      source: { kind: "Node" },
      title: "fyi",
      fingerprint: "fyi",
    });
    await h.adapters.repositories.alerts.update({
      ...raised,
      state: "RESOLVED",
      resolved: { by: "system", at: new Date().toISOString() },
    });
    await w.until((got) => got.some((e) => e.alert?.state === alert.AlertState.RESOLVED));
    expect(w.got.filter((e) => e.alert).map((e) => [common.EventType[e.type], e.alert!.id])).toEqual([
      ["CREATED", "a1"],
      ["UPDATED", "a1"],
    ]);
    await w.close();

    const recs = h.client(drs.DRSService, h.grpc);
    const r = new Collector<drs.WatchRecommendationsResponse>((signal) =>
      recs.watchRecommendations({}, { signal }),
    );
    await r.until((got) => got.length === 1);
    await h.adapters.repositories.drsRecommendations.create({
      id: "r1",
      clusterId: "c1",
      priority: "HIGH",
      type: "MIGRATE",
      vmId: "vm1",
      sourceNodeId: "n1",
      targetNodeId: "n2",
      reason: "n1 is overloaded",
      impact: { imbalanceBefore: 0.3, imbalanceAfter: 0.1 },
    });
    await r.until((got) => got.some((e) => e.recommendation?.id === "r1"));
    expect(r.got.at(-1)?.recommendation?.state).toBe(drs.RecommendationState.PENDING);
    await r.close();
  });
});
