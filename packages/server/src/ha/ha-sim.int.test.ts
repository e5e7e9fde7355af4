import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { compute, sim } from "@limiquantix/api";
import { eventually } from "@limiquantix/domain/conformance";
import { makeTempDir } from "@limiquantix/testkit";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../runtime/server";
import { testConfig } from "../testing/server-config";
import { asAdmin } from "../testing/signed-in";

const logger = pino({ level: "silent" });
let server: RunningServer | undefined;
afterAll(async () => {
  await server?.stop();
});

describe("HA over simulated nodes", () => {
  it("a node whose agent is killed goes NOT_READY → FENCING → FAILED (powered off by its BMC) and its VM runs on another node, once", async () => {
    const dir = await makeTempDir("ha-sim");
    server = await startServer(
      testConfig({
        mode: "embedded",
        dataDir: dir.path,
        simulation: { nodes: 2, bootDelayMs: 50, heartbeatIntervalSec: 1 },
        ha: { checkIntervalSec: 1, failureThreshold: 2, intervalSec: 1 },
      }),
      { logger, version: "test" },
    );
    const transport = createGrpcTransport({ baseUrl: server.url, interceptors: [await asAdmin(server)] });
    const vms = createClient(compute.VMService, transport);
    const nodes = createClient(compute.NodeService, transport);
    const simulation = createClient(sim.SimulationService, transport);
    const { vm } = await vms.createVM({
      projectId: "default",
      name: "web",
      spec: { vcpus: 1, memoryMib: 512n },
    });
    await vms.startVM({ id: vm!.id });
    await eventually(
      async () =>
        expect((await vms.getVM({ id: vm!.id })).vm?.status?.powerState).toBe(compute.PowerState.RUNNING),
      15_000,
    );
    const from = (await vms.getVM({ id: vm!.id })).vm!.status!.nodeId;
    const killed = await simulation.failNode({ nodeId: from, fault: sim.NodeFault.KILL_AGENT });
    expect(killed.heartbeats).toBe(false);

    await eventually(
      async () =>
        expect((await nodes.getNode({ id: from })).node?.status?.phase).toBe(compute.NodePhase.FAILED),
      20_000,
    );
    await eventually(async () => {
      const moved = (await vms.getVM({ id: vm!.id })).vm!;
      expect(moved.status?.nodeId).not.toBe(from);
      expect(moved.status?.powerState).toBe(compute.PowerState.RUNNING);
    }, 20_000);
    const running = server.sims!.agents.flatMap((a) =>
      a.hypervisor.list().filter((v) => v.vmId === vm!.id && v.powerState === "RUNNING"),
    );
    expect(running).toHaveLength(1);
    await server.stop();
    server = undefined;
    await dir.remove();
  }, 60_000);

  it("an isolated node that is fenced and comes back has its copy of the VM HA moved stopped and undefined, and the VM's status keeps the new node", async () => {
    const dir = await makeTempDir("ha-sim-return");
    server = await startServer(
      testConfig({
        mode: "embedded",
        dataDir: dir.path,
        simulation: { nodes: 2, bootDelayMs: 50, heartbeatIntervalSec: 1 },
        ha: { checkIntervalSec: 1, failureThreshold: 2, intervalSec: 1 },
      }),
      { logger, version: "test" },
    );
    const transport = createGrpcTransport({ baseUrl: server.url, interceptors: [await asAdmin(server)] });
    const vms = createClient(compute.VMService, transport);
    const nodes = createClient(compute.NodeService, transport);
    const simulation = createClient(sim.SimulationService, transport);
    const { vm } = await vms.createVM({
      projectId: "default",
      name: "db",
      spec: { vcpus: 1, memoryMib: 512n },
    });
    const id = vm!.id;
    await vms.startVM({ id });
    await eventually(
      async () => expect((await vms.getVM({ id })).vm?.status?.powerState).toBe(compute.PowerState.RUNNING),
      15_000,
    );
    const from = (await vms.getVM({ id })).vm!.status!.nodeId;
    const sims = server.sims!;
    const old = sims.agents.find((a) => sims.nodeIds.get(a.nodeId) === from)!;

    // Cut off, its VM still running: HA fences it (its BMC powers it off) and restarts the VM elsewhere.
    await simulation.failNode({ nodeId: from, fault: sim.NodeFault.ISOLATE });
    expect(old.hypervisor.list().find((v) => v.vmId === id)?.powerState).toBe("RUNNING");
    await eventually(async () => {
      const moved = (await vms.getVM({ id })).vm!;
      expect(moved.status?.nodeId).not.toBe(from);
      expect(moved.status?.powerState).toBe(compute.PowerState.RUNNING);
    }, 30_000);
    const to = (await vms.getVM({ id })).vm!.status!.nodeId;
    expect((await nodes.getNode({ id: from })).node?.status?.phase).toBe(compute.NodePhase.FAILED);

    // The host is powered on again and boots its stale copy before its agent reports in.
    expect(old.hypervisor.list().map((v) => v.vmId)).toContain(id);
    old.hypervisor.start(id);
    await simulation.failNode({ nodeId: from, fault: sim.NodeFault.RECOVER });
    await eventually(async () => {
      expect((await nodes.getNode({ id: from })).node?.status?.phase).toBe(compute.NodePhase.READY);
      expect(old.hypervisor.list().map((v) => v.vmId)).not.toContain(id);
    }, 20_000);
    const after = (await vms.getVM({ id })).vm!;
    expect(after.status?.nodeId).toBe(to);
    expect(after.status?.powerState).toBe(compute.PowerState.RUNNING);
    const copies = sims.agents.flatMap((a) => a.hypervisor.list().filter((v) => v.vmId === id));
    expect(copies.map((v) => v.powerState)).toEqual(["RUNNING"]);
    await server.stop();
    server = undefined;
    await dir.remove();
  }, 90_000);
});
