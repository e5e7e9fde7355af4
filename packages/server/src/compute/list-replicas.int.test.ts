import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { compute, network, storage } from "@limiquantix/api";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../config/schema";
import { type RunningServer, startServer } from "../runtime/server";
import { type ProductionSetup, productionSetup } from "../testing/production-setup";
import { adminToken, withBearer } from "../testing/signed-in";

const logger = pino({ level: "silent" });
let setup: ProductionSetup;
let config: Config;
const running: RunningServer[] = [];
let token = "";

beforeAll(async () => {
  setup = await productionSetup("list-replicas");
  config = setup.config;
}, 120_000);

afterAll(async () => {
  for (const s of running) await s.stop();
  await setup?.close();
});

async function replica(): Promise<RunningServer> {
  const s = await startServer(config, { logger, version: "test" });
  running.push(s);
  return s;
}

/** recordCalls makes each call of these methods of a repository add "name.method" to `calls`. */
function recordCalls(calls: string[], name: string, repo: object, methods: readonly string[]): void {
  const target = repo as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const method of methods) {
    const original = target[method]!.bind(repo);
    target[method] = (...args) => {
      calls.push(`${name}.${method}`);
      return original(...args);
    };
  }
}

const signedIn = (s: RunningServer) =>
  createGrpcTransport({ baseUrl: s.url, interceptors: [withBearer(token)] });

/** twoReplicas starts replicas A and B, signs in through A, and makes clients of either. */
async function twoReplicas() {
  const a = await replica();
  const b = await replica();
  token = await adminToken(a);
  const on = <S extends Parameters<typeof createClient>[0]>(service: S, s: RunningServer) =>
    createClient(service, signedIn(s));
  return { a, b, on };
}

/** hostRequest registers a 32-core, 128 GiB node. */
const hostRequest = (name: string, managementIp: string, labels: Record<string, string> = {}) =>
  create(compute.RegisterNodeRequestSchema, {
    name,
    labels,
    spec: {
      hostname: `${name}.lab`,
      managementIp,
      agentAddress: "127.0.0.1:1",
      cpu: { sockets: 1, coresPerSocket: 32, threadsPerCore: 1 },
      memoryMib: 131072n,
    },
  });

describe("lists on two replicas of one PostgreSQL", () => {
  it("a write through one replica is in the next ListVMs and ListNodes on the other, served from its copy", async () => {
    const { a, b, on } = await twoReplicas();
    const vmsA = on(compute.VMService, a);
    const vmsB = on(compute.VMService, b);
    const nodesA = on(compute.NodeService, a);
    const nodesB = on(compute.NodeService, b);
    // B's lists must come from its copy: record what reaches its VM and node repositories' list
    // and its project look-ups (B's copy of the projects is read once, on the first project filter).
    const storeLists: string[] = [];
    const { repos } = b.services.deps;
    recordCalls(storeLists, "vms", repos.vms, ["list"]);
    recordCalls(storeLists, "nodes", repos.nodes, ["list"]);
    recordCalls(storeLists, "projects", repos.projects, ["find", "findByName"]);

    for (let i = 0; i < 3; i++) {
      await nodesA.registerNode(hostRequest(`hv-${i}`, `10.0.0.${5 + i}`, { rack: String(i) }));
      const listed = await nodesB.listNodes({ labelSelector: `rack=${i}` });
      expect(listed.nodes.map((n) => n.name)).toEqual([`hv-${i}`]);
    }

    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      const created = await vmsA.createVM({
        projectId: "default",
        name: `web-${i}`,
        labels: { app: "web" },
        spec: { vcpus: 1, memoryMib: 512n },
      });
      ids.push(created.vm!.id);
      // Read-your-writes on the other replica, through every filter and across pages.
      const page = await vmsB.listVMs({ projectId: "default", labelSelector: "app=web", pageSize: 3 });
      expect(page.totalCount).toBe(i + 1);
      expect(page.vms.map((v) => v.id)).toEqual([...ids].sort().slice(0, 3));
    }
    for (let i = 0; i < 5; i++) {
      const target = ids[i]!;
      await vmsA.updateVM({ id: target, labels: { app: "web", round: String(i) } });
      const { vms } = await vmsB.listVMs({ labelSelector: `round=${i}` });
      expect(vms.map((v) => v.id)).toEqual([target]);
    }
    // (Deleted in A's store: DeleteVM would wait for the VM's agent, which does not run here.)
    await a.services.deps.repos.vms.delete(ids[0]!);
    const after = await vmsB.listVMs({ labelSelector: "app=web", pageSize: 100 });
    expect(after.vms.map((v) => v.id)).toEqual(ids.slice(1).sort());

    expect(storeLists).toEqual([]);
  }, 120_000);

  it("a volume or network written through one replica is in the next Get and List on the other, served from its copy", async () => {
    const { a, b, on } = await twoReplicas();
    const poolsA = on(storage.StoragePoolService, a);
    const volumesA = on(storage.VolumeService, a);
    const volumesB = on(storage.VolumeService, b);
    const networksA = on(network.VirtualNetworkService, a);
    const networksB = on(network.VirtualNetworkService, b);
    const storeReads: string[] = [];
    const { repos } = b.services.deps;
    recordCalls(storeReads, "volumes", repos.volumes, ["get", "list"]);
    recordCalls(storeReads, "networks", repos.networks, ["get", "list"]);

    const { storagePool } = await poolsA.createStoragePool({
      name: "nfs",
      spec: { type: storage.StoragePoolType.NFS, capacityGib: 100n },
    });
    expect((await volumesB.listVolumes({ projectId: "default" })).volumes).toEqual([]);
    const { volume } = await volumesA.createVolume({
      name: "data",
      projectId: "default",
      spec: { poolId: storagePool!.id, sizeGib: 10n },
    });
    expect((await volumesB.getVolume({ id: volume!.id })).volume?.resourceVersion).toBe(
      (await volumesA.getVolume({ id: volume!.id })).volume?.resourceVersion,
    );
    await volumesA.updateVolume({ id: volume!.id, labels: { tier: "gold" } });
    expect((await volumesB.listVolumes({ labelSelector: "tier=gold" })).volumes.map((v) => v.id)).toEqual([
      volume!.id,
    ]);
    await volumesA.deleteVolume({ id: volume!.id });
    expect((await volumesB.listVolumes({ projectId: "default" })).volumes).toEqual([]);

    const { virtualNetwork } = await networksA.createVirtualNetwork({
      name: "lan",
      projectId: "default",
      spec: { type: network.NetworkType.VLAN, vlanId: 42, cidr: "10.9.0.0/24" },
    });
    const listed = await networksB.listVirtualNetworks({ projectId: "default" });
    expect(listed.virtualNetworks.map((n) => n.id)).toEqual([virtualNetwork!.id]);
    // Nothing reached B's store; a get of the deleted volume does, as the copy does not hold it.
    expect(storeReads).toEqual([]);
    const gone = await volumesB.getVolume({ id: volume!.id }).catch((e: unknown) => ConnectError.from(e));
    expect((gone as ConnectError).code).toBe(Code.NotFound);
    expect(storeReads).toEqual(["volumes.get"]);
  }, 120_000);

  it("a cluster changed through one replica is in the next Get and List on the other, served from its copy, and its admission control holds the next create there", async () => {
    const { a, b, on } = await twoReplicas();
    const nodesA = on(compute.NodeService, a);
    const clustersA = on(compute.ClusterService, a);
    const clustersB = on(compute.ClusterService, b);
    const vmsB = on(compute.VMService, b);
    for (let i = 0; i < 2; i++) await nodesA.registerNode(hostRequest(`ac-${i}`, `10.0.1.${5 + i}`));
    // B's first list reads its copy of the clusters; nothing after it reads B's cluster store.
    const cluster = (await clustersB.listClusters({})).clusters.find((c) => c.name === "default")!;
    const storeReads: string[] = [];
    recordCalls(storeReads, "clusters", b.services.deps.repos.clusters, ["get", "list", "eachPage"]);
    await clustersA.updateCluster({
      id: cluster.id,
      labels: { zone: "east" },
      spec: {
        ha: {
          enabled: true,
          admissionControl: {
            policy: compute.AdmissionControlPolicy.TOLERATE_HOST_FAILURES,
            hostFailuresToTolerate: 1,
          },
        },
      },
      updateMask: { paths: ["labels", "spec.ha"] },
    });
    expect((await clustersB.getCluster({ id: cluster.id })).cluster?.spec?.ha?.admissionControl?.policy).toBe(
      compute.AdmissionControlPolicy.TOLERATE_HOST_FAILURES,
    );
    const listed = await clustersB.listClusters({ labelSelector: "zone=east" });
    expect(listed.clusters.map((c) => c.id)).toEqual([cluster.id]);
    expect(storeReads).toEqual([]);

    // Each 120 GiB VM fills a host (the other tests' hosts share this store): without the policy
    // every host takes one and the next is refused for room (ResourceExhausted); with it, the
    // host kept for a failure is never filled and a create is refused by admission control first.
    const hosts = (await on(compute.NodeService, b).listNodes({})).nodes.length;
    let refused: ConnectError | undefined;
    for (let i = 0; i <= hosts && !refused; i++)
      refused = await vmsB
        .createVM({
          projectId: "default",
          name: `ac-big-${i}`,
          spec: { vcpus: 1, memoryMib: 122_880n, ha: { enabled: true } },
        })
        .then(
          () => undefined,
          (e: unknown) => ConnectError.from(e),
        );
    expect(refused?.code).toBe(Code.FailedPrecondition);
    expect(refused?.message).toMatch(/admission control/i);
  }, 120_000);
});
