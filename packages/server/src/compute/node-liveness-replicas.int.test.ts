import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { compute, sim } from "@limiquantix/api";
import { eventually } from "@limiquantix/domain/conformance";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../runtime/server";
import { type ProductionSetup, productionSetup } from "../testing/production-setup";
import { SimReplicas } from "../testing/sim-replicas";
import { adminToken, withBearer } from "../testing/signed-in";

// Two production replicas on one PostgreSQL, Redis and etcd. The first leads (and runs node
// health); the second runs the simulated nodes, whose agents beat to it alone. Their beats reach
// the leader only through Redis: the stored heartbeats stay put, and the nodes stay READY.
let setup: ProductionSetup;
const replicas = new SimReplicas("liveness-replicas", () => setup.config);

beforeAll(async () => {
  setup = await productionSetup("liveness-replicas", {
    simulation: { nodes: 0, bootDelayMs: 50, heartbeatIntervalSec: 1 },
    ha: { checkIntervalSec: 1, failureThreshold: 3, intervalSec: 1 },
    agents: { statusWriteIntervalSec: 300 },
  });
}, 120_000);

afterAll(async () => {
  await replicas.stopAll();
  await setup?.close();
});

describe("node beats across replicas", () => {
  it("keeps nodes beating to one replica READY on the leader with no stored heartbeat, and marks one whose agent dies", async () => {
    const leader = await replicas.start(0);
    const hosts = await replicas.start(2);
    const token = await adminToken(leader);
    const client = <S extends Parameters<typeof createClient>[0]>(service: S, s: RunningServer) =>
      createClient(service, createGrpcTransport({ baseUrl: s.url, interceptors: [withBearer(token)] }));
    const nodes = client(compute.NodeService, leader);
    const leads = async (r: RunningServer) =>
      /^limiquantix_controllers_leading 1$/m.test(await fetch(`${r.url}/metrics`).then((x) => x.text()));
    expect(await leads(leader)).toBe(true);
    expect(await leads(hosts)).toBe(false);
    const listed = async () => (await nodes.listNodes({})).nodes;
    await eventually(async () => {
      const all = await listed();
      expect(all).toHaveLength(2);
      for (const n of all) expect(n.status?.phase).toBe(compute.NodePhase.READY);
    }, 30_000);

    // Let the first beats with usage be stored, then watch for three failure windows.
    await new Promise((r) => setTimeout(r, 2000));
    const before = new Map((await listed()).map((n) => [n.id, n.status?.lastHeartbeatTime?.seconds]));
    for (const seconds of before.values()) expect(seconds).toBeGreaterThan(0n);
    // Polled five times a second: a node marked NOT_READY and back on its next beat would show.
    const phasesSeen = new Set<compute.NodePhase | undefined>();
    for (const end = Date.now() + 9000; Date.now() < end; ) {
      for (const n of await listed()) phasesSeen.add(n.status?.phase);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect([...phasesSeen]).toEqual([compute.NodePhase.READY]);
    for (const n of await listed()) {
      expect(n.status?.phase, `${n.name} phase`).toBe(compute.NodePhase.READY);
      expect(n.status?.lastHeartbeatTime?.seconds, `${n.name} stored heartbeat`).toBe(before.get(n.id));
    }

    // One agent dies: its beats stop everywhere, and the leader marks the node within the window.
    const dead = (await listed())[0]!;
    await client(sim.SimulationService, hosts).failNode({ nodeId: dead.id, fault: sim.NodeFault.KILL_AGENT });
    const killedAt = Date.now();
    await eventually(async () => {
      const phase = (await nodes.getNode({ id: dead.id })).node?.status?.phase;
      expect(phase).not.toBe(compute.NodePhase.READY);
    }, 15_000);
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    const alive = (await listed()).find((n) => n.id !== dead.id)!;
    expect(alive.status?.phase).toBe(compute.NodePhase.READY);
  });
});
