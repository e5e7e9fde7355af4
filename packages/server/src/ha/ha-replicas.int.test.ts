import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { alert, compute, sim } from "@limiquantix/api";
import { ChangeLog } from "@limiquantix/domain";
import { eventually } from "@limiquantix/domain/conformance";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../runtime/server";
import { type ProductionSetup, productionSetup } from "../testing/production-setup";
import { SimReplicas } from "../testing/sim-replicas";
import { adminToken, withBearer } from "../testing/signed-in";

// Three production replicas in this process on one PostgreSQL, Redis and etcd. The third runs the
// simulated nodes; all three share its simulated lab, so whichever replica leads can fence them
// through their simulated BMC. The leader is stopped while HA is restarting the VMs of a failed
// node, and the next leader finishes the work.
let setup: ProductionSetup;
const replicas = new SimReplicas("ha-replicas", () => setup.config);

beforeAll(async () => {
  setup = await productionSetup("ha-replicas", {
    simulation: { nodes: 0, bootDelayMs: 50, heartbeatIntervalSec: 1 },
    ha: { checkIntervalSec: 1, failureThreshold: 2, intervalSec: 1 },
  });
}, 120_000);

afterAll(async () => {
  await replicas.stopAll();
  await setup?.close();
});

describe("HA across replicas", () => {
  it("a leader stopped while HA restarts a failed node's VMs: the next leader finishes, each VM restarts once and runs in one place, no alert twice", async () => {
    const first = await replicas.start(0);
    const second = await replicas.start(0);
    const hosts = await replicas.start(4);
    const token = await adminToken(first);
    const client = <S extends Parameters<typeof createClient>[0]>(service: S, s: RunningServer) =>
      createClient(service, createGrpcTransport({ baseUrl: s.url, interceptors: [withBearer(token)] }));
    const vms = client(compute.VMService, hosts);
    const names = Array.from({ length: 12 }, (_, i) => `ha-${i}`);
    const ids: string[] = [];
    for (const name of names) {
      const { vm } = await vms.createVM({ projectId: "default", name, spec: { vcpus: 1, memoryMib: 512n } });
      ids.push(vm!.id);
      await vms.startVM({ id: vm!.id });
    }
    await eventually(async () => {
      for (const id of ids)
        expect((await vms.getVM({ id })).vm?.status?.powerState).toBe(compute.PowerState.RUNNING);
    }, 30_000);
    // The node holding the most VMs is cut off from the control plane, its VMs still running.
    const placed = await Promise.all(ids.map(async (id) => (await vms.getVM({ id })).vm!.status!.nodeId));
    const counts = new Map<string, number>();
    for (const n of placed) counts.set(n, (counts.get(n) ?? 0) + 1);
    const failed = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    const moving = ids.filter((_, i) => placed[i] === failed);
    expect(moving.length).toBeGreaterThan(0);
    // The first replica to start leads (it is not the one running the simulated nodes).
    const leads = async (r: RunningServer) =>
      /^limiquantix_controllers_leading 1$/m.test(await fetch(`${r.url}/metrics`).then((x) => x.text()));
    expect(await leads(first)).toBe(true);
    const log = first.container.get<ChangeLog>(ChangeLog);
    const before = await log.head();
    await client(sim.SimulationService, hosts).failNode({ nodeId: failed, fault: sim.NodeFault.ISOLATE });

    // As soon as HA has restarted one of them, the leader goes away (it is the first replica).
    await eventually(async () => {
      const moved = await Promise.all(moving.map(async (id) => (await vms.getVM({ id })).vm!.status!.nodeId));
      expect(moved.some((n) => n !== failed)).toBe(true);
    }, 30_000);
    const movedWhenStopped = (
      await Promise.all(moving.map(async (id) => (await vms.getVM({ id })).vm!.status!.nodeId))
    ).filter((n) => n !== failed).length;
    console.info(`leader stopped with ${movedWhenStopped} of ${moving.length} VMs restarted`);
    expect(await leads(first)).toBe(true);
    await replicas.stop(first);

    await eventually(async () => {
      for (const id of moving) {
        const vm = (await vms.getVM({ id })).vm!;
        expect(vm.status?.nodeId).not.toBe(failed);
        expect(vm.status?.powerState).toBe(compute.PowerState.RUNNING);
      }
    }, 45_000);

    // Each VM runs on exactly one simulated host; the fenced host runs none.
    const sims = hosts.sims!;
    for (const id of ids) {
      const running = sims.agents.flatMap((a) =>
        a.hypervisor.list().filter((v) => v.vmId === id && v.powerState === "RUNNING"),
      );
      expect(running, `copies of ${id} running`).toHaveLength(1);
    }
    // Each VM of the failed node was restarted elsewhere by exactly one HA write.
    const entries = [];
    for (let after = before; ; ) {
      const page = await hosts.container.get<ChangeLog>(ChangeLog).read(after, 1000);
      entries.push(...page);
      if (page.length < 1000) break;
      after = page.at(-1)!.revision;
    }
    for (const id of moving) {
      const restarts = entries.filter(
        (e) =>
          e.kind === "VirtualMachine" &&
          e.id === id &&
          /^restarting on node/.test(String((e.object as { status?: { message?: string } }).status?.message)),
      );
      expect(restarts, `HA restarts of ${id}`).toHaveLength(1);
    }
    // No alert fires twice for the same rule and resource.
    const { alerts } = await client(alert.AlertService, second).listAlerts({ pageSize: 1000 });
    const keys = alerts
      .filter((a) => a.state !== alert.AlertState.RESOLVED)
      .map((a) => `${a.ruleId}/${a.source?.kind}/${a.source?.id}`);
    expect(keys.length).toBe(new Set(keys).size);
  }, 180_000);
});
