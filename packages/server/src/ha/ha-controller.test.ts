import type { MemoryAgentPool } from "@limiquantix/repo-memory";
import { ContainerModule } from "inversify";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { NodeHealthController } from "../controllers/node-health";
import { type MemoryServices, startMemoryServices } from "../testing/memory-services";
import { SimLab } from "../sim/sim-lab";
import { HA } from "./ha-ids";
import type { HaController } from "./ha-controller";

let env: MemoryServices;
let lab: SimLab;
afterEach(async () => {
  await env.close();
});

async function start(): Promise<HaController> {
  lab = new SimLab();
  env = await startMemoryServices({
    modules: [new ContainerModule(({ bind }) => void bind(HA.simLab).toConstantValue(lab))],
  });
  return env.plane.container.get(HA.controller);
}

const pool = () => env.adapters.agentPool as MemoryAgentPool;

/** simulate gives a node the switches of a simulated one, over its in-memory host. */
function simulate(nodeId: string): { powerOffs: number } {
  const seen = { powerOffs: 0 };
  let on = true;
  lab.add(nodeId, {
    async killAgent() {
      pool().host(nodeId).setReachable(false);
    },
    async isolate() {
      pool().host(nodeId).setReachable(false);
    },
    async powerOff() {
      seen.powerOffs++;
      const host = pool().host(nodeId);
      host.setReachable(true);
      for (const v of await host.listVms())
        if (v.powerState !== "STOPPED") await host.stopVm(v.vmId, { mode: "force", timeoutSec: 0 });
      host.setReachable(false);
      on = false;
    },
    async recover() {
      pool().host(nodeId).setReachable(true);
      on = true;
    },
    state: () => ({ poweredOn: on, agentServing: on, heartbeats: on, runningVms: 0 }),
  });
  return seen;
}

async function vm(
  name: string,
  memoryMib: number,
  ha: { enabled: boolean; restartPriority?: "high" | "medium" | "low" },
) {
  const created = await env.services.vms.create(env.ctx, {
    projectId: env.projectId,
    name,
    spec: { cpu: { vcpus: 1 }, memory: { sizeMib: memoryMib }, ha: { restartPriority: "medium", ...ha } },
  });
  await env.services.power.start(env.ctx, created.id);
  return created.id;
}

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}

const getVm = (id: string) => env.services.vms.get(env.ctx, id);

/** goSilent has a node stop beating and its agent stop answering, as a dead host does. */
async function goSilent(nodeId: string): Promise<void> {
  pool().host(nodeId).setReachable(false);
  await env.services.nodes.setPhase(env.ctx, nodeId, "NOT_READY", "no heartbeat");
}
const phaseOf = async (id: string) => (await env.services.nodes.get(env.ctx, id)).status.phase;

describe("HaController", () => {
  it("fences a killed simulated node through its BMC, then restarts its HA VMs elsewhere and stops the others", async () => {
    const ha = await start();
    const dead = await env.registerNode("dead", 8, 32768);
    const bmc = simulate(dead);
    const web = await vm("web", 2048, { enabled: true });
    const scratch = await vm("scratch", 2048, { enabled: false });
    await until(
      () => getVm(web),
      (v) => v.status.powerState === "RUNNING",
    );
    const b = await env.registerNode("b", 8, 32768);
    const c = await env.registerNode("c", 8, 32768);

    // The agent dies: heartbeats stop; the node-health controller sees it NOT_READY.
    await lab.fail(dead, "kill-agent");
    const later = new Date(Date.now() + 5 * 60_000);
    for (const n of [b, c])
      await env.adapters.repositories.nodes.recordHeartbeat(n, { at: later.toISOString() });
    const health = new NodeHealthController(
      { ...env.services.deps, clock: { now: () => later } },
      env.services.nodes,
      { checkIntervalMs: 30_000, failureThreshold: 3 },
      pino({ level: "silent" }),
    );
    expect(await health.sweep()).toBe(1);
    expect(await phaseOf(dead)).toBe("NOT_READY");

    const report = await ha.pass();
    expect(report.fencing).toEqual([dead]);
    expect(report.fenced).toEqual([dead]);
    expect(bmc.powerOffs).toBe(1);
    const node = await env.services.nodes.get(env.ctx, dead);
    expect(node.status.phase).toBe("FAILED");
    expect(node.status.conditions.find((x) => x.type === "Fenced")).toMatchObject({
      status: "True",
      reason: "FencedBySimBmc",
    });
    expect(report.failover.restarted.map((r) => r.vmId)).toEqual([web]);
    expect(report.failover.stopped).toEqual([scratch]);

    const moved = await until(
      () => getVm(web),
      (v) => v.status.powerState === "RUNNING",
    );
    expect([b, c]).toContain(moved.status.nodeId);
    expect(moved.status.powerState).toBe("RUNNING");
    expect(moved.status.conditions.find((x) => x.type === "HaRestarted")?.status).toBe("True");
    const stopped = await getVm(scratch);
    expect(stopped.status.powerState).toBe("STOPPED");
    expect(stopped.spec.desiredPowerState).toBe("STOPPED");
    expect(stopped.status.message).toMatch(/failed and was fenced.*HA disabled/);
    // Never on two hosts: the fenced one runs nothing.
    pool().host(dead).setReachable(true);
    expect((await pool().host(dead).listVms()).filter((v) => v.powerState === "RUNNING")).toEqual([]);
  });

  it("fences an isolated node (powers it off) before restarting anything", async () => {
    const ha = await start();
    const iso = await env.registerNode("iso", 8, 32768);
    const bmc = simulate(iso);
    const web = await vm("web", 2048, { enabled: true });
    await until(
      () => getVm(web),
      (v) => v.status.powerState === "RUNNING",
    );
    await env.registerNode("b", 8, 32768);
    await lab.fail(iso, "isolate");
    // Its VM still runs on the isolated host until the BMC powers it off.
    const host = pool().host(iso);
    host.setReachable(true);
    expect((await host.listVms())[0]?.powerState).toBe("RUNNING");
    host.setReachable(false);
    await env.services.nodes.setPhase(env.ctx, iso, "NOT_READY", "no heartbeat");
    const report = await ha.pass();
    expect(bmc.powerOffs).toBe(1);
    expect(report.failover.restarted.map((r) => r.vmId)).toEqual([web]);
    host.setReachable(true);
    expect((await host.listVms())[0]?.powerState).toBe("STOPPED");
  });

  it("does not fence a node whose beats stopped while its agent answers, and fences it once the agent is gone too", async () => {
    const ha = await start();
    const lost = await env.registerNode("lost", 8, 32768);
    const bmc = simulate(lost);
    const web = await vm("web", 2048, { enabled: true });
    await until(
      () => getVm(web),
      (v) => v.status.powerState === "RUNNING",
    );
    await env.registerNode("b", 8, 32768);
    // Beats stop arriving, but the host is up and its agent answers the leader.
    await env.services.nodes.setPhase(env.ctx, lost, "NOT_READY", "no heartbeat");
    const first = await ha.pass();
    expect(first.reachable).toEqual([lost]);
    expect(first.fencing).toEqual([]);
    expect(bmc.powerOffs).toBe(0);
    const node = await env.services.nodes.get(env.ctx, lost);
    expect(node.status.phase).toBe("NOT_READY");
    expect(node.status.conditions.find((c) => c.type === "HeartbeatsLost")?.reason).toBe("AgentAnswers");
    expect((await getVm(web)).status.nodeId).toBe(lost);

    // The agent stops answering as well: now it is fenced and its VM restarts elsewhere.
    pool().host(lost).setReachable(false);
    const second = await ha.pass();
    expect(second.fencing).toEqual([lost]);
    expect(bmc.powerOffs).toBe(1);
    expect(second.failover.restarted.map((r) => r.vmId)).toEqual([web]);
  });

  it("waits for ConfirmNodeFenced on a node without a BMC, retrying with the reason in a condition", async () => {
    const ha = await start();
    const manual = await env.registerNode("manual", 8, 32768);
    const web = await vm("web", 2048, { enabled: true });
    await until(
      () => getVm(web),
      (v) => v.status.powerState === "RUNNING",
    );
    const b = await env.registerNode("b", 8, 32768);
    await goSilent(manual);

    const first = await ha.pass();
    expect(first.fenceFailed).toEqual([manual]);
    const node = await env.services.nodes.get(env.ctx, manual);
    expect(node.status.phase).toBe("FENCING");
    expect(node.status.conditions.find((x) => x.type === "Fenced")).toMatchObject({
      status: "False",
      reason: "FencingFailed",
    });
    expect(node.status.conditions.find((x) => x.type === "Fenced")?.message).toMatch(/ConfirmNodeFenced/);
    expect((await ha.pass()).failover.restarted).toEqual([]);
    expect((await getVm(web)).status.nodeId).toBe(manual);

    await expect(env.services.nodes.confirmFenced(env.ctx, b)).rejects.toThrow(/only a NOT_READY or FENCING/);
    const confirmed = await env.services.nodes.confirmFenced(env.ctx, manual, "pulled the power cord");
    expect(confirmed.status.phase).toBe("FAILED");
    expect(confirmed.status.conditions.find((x) => x.type === "Fenced")?.message).toMatch(
      /pulled the power cord/,
    );
    const after = await ha.pass();
    expect(after.failover.restarted).toMatchObject([{ vmId: web, to: b }]);
  });

  it("restarts high priority first, keeps what does not fit pending, and places it when a node is added", async () => {
    const ha = await start();
    const dead = await env.registerNode("dead", 8, 32768);
    simulate(dead);
    const low = await vm("low", 6144, { enabled: true, restartPriority: "low" });
    const high = await vm("high", 6144, { enabled: true, restartPriority: "high" });
    await until(
      () => getVm(low),
      (v) => v.status.powerState === "RUNNING",
    );
    // The survivor has room for one of them (1.5 × 5120 MiB with the default overcommit).
    await env.registerNode("small", 8, 5120);
    await goSilent(dead);
    const report = await ha.pass();
    expect(report.failover.restarted.map((r) => r.vmId)).toEqual([high]);
    expect(report.failover.pending.map((p) => p.vmId)).toEqual([low]);
    const waiting = await getVm(low);
    expect(waiting.status.nodeId).toBe(dead);
    expect(waiting.status.conditions.find((x) => x.type === "HaRestarted")).toMatchObject({
      status: "False",
      reason: "NoCapacity",
    });

    const big = await env.registerNode("big", 8, 32768);
    const again = await ha.pass();
    expect(again.failover.restarted).toMatchObject([{ vmId: low, to: big }]);
    // Everything moved: the failed node can be decommissioned.
    expect((await env.services.nodes.decommission(env.ctx, dead)).status.phase).toBe("DECOMMISSIONED");
  });

  it("restarts the HA VMs of a fenced node even where admission control would refuse to start them", async () => {
    const ha = await start();
    const dead = await env.registerNode("dead", 8, 32768);
    simulate(dead);
    const web = await vm("web", 2048, { enabled: true });
    await until(
      () => getVm(web),
      (v) => v.status.powerState === "RUNNING",
    );
    const b = await env.registerNode("b", 8, 32768);
    const cluster = (await env.services.clusters.findByName(env.ctx, "default"))!;
    await env.services.clusters.update(env.ctx, cluster.id, (c) => ({
      ...c,
      spec: {
        ...c.spec,
        ha: {
          ...c.spec.ha,
          admissionControl: { ...c.spec.ha.admissionControl, policy: "tolerate-host-failures" },
        },
      },
    }));
    await goSilent(dead);

    // Failover consumes the reserve: web moves to b although b alone tolerates no failure.
    const report = await ha.pass();
    expect(report.failover.restarted).toMatchObject([{ vmId: web, to: b }]);
    const moved = await until(
      () => getVm(web),
      (v) => v.status.powerState === "RUNNING",
    );
    expect(moved.status.nodeId).toBe(b);
    // The policy is in force for what users ask: another HA VM is refused on the one host left.
    await expect(
      env.services.vms.create(env.ctx, {
        projectId: env.projectId,
        name: "another",
        spec: { cpu: { vcpus: 1 }, memory: { sizeMib: 512 } },
      }),
    ).rejects.toThrow(/HA admission control \(tolerate-host-failures: 1\).*cannot tolerate 1 host failure/);
  });

  it("stops and undefines the copy a fenced host brings back of a VM HA moved, never taking its report as the VM's status", async () => {
    const ha = await start();
    const dead = await env.registerNode("dead", 8, 32768);
    simulate(dead);
    const web = await vm("web", 2048, { enabled: true });
    await until(
      () => getVm(web),
      (v) => v.status.powerState === "RUNNING",
    );
    const b = await env.registerNode("b", 8, 32768);
    await goSilent(dead);
    expect((await ha.pass()).failover.restarted).toMatchObject([{ vmId: web, to: b }]);
    const moved = await until(
      () => getVm(web),
      (v) => v.status.powerState === "RUNNING",
    );

    // The host comes back with its stale copy running (it booted it again) and reports it.
    const old = pool().host(dead);
    old.setReachable(true);
    await old.startVm(web);
    await env.services.nodeAgents.heartbeat(env.ctx, dead, {
      vms: [{ vmId: web, powerState: "RUNNING", ipAddresses: ["10.9.9.9"] }],
    });
    expect(await phaseOf(dead)).toBe("READY");
    await until(
      () => old.listVms(),
      (list) => list.length === 0,
    );
    expect(await old.listVms()).toEqual([]);
    const after = await getVm(web);
    expect(after.status.nodeId).toBe(b);
    expect(after.status.powerState).toBe("RUNNING");
    expect(after.status.ipAddresses).toEqual(moved.status.ipAddresses);
    expect((await pool().host(b).listVms()).map((v) => [v.vmId, v.powerState])).toEqual([[web, "RUNNING"]]);
  });

  it("force-deletes a VM left on a fenced node without its agent", async () => {
    const ha = await start();
    const dead = await env.registerNode("dead", 8, 32768);
    simulate(dead);
    const stuck = await vm("stuck", 2048, { enabled: true });
    await until(
      () => getVm(stuck),
      (v) => v.status.powerState === "RUNNING",
    );
    await goSilent(dead);
    // No other node: the VM stays pending on the failed node.
    expect((await ha.pass()).failover.pending.map((p) => p.vmId)).toEqual([stuck]);
    await expect(env.services.nodes.delete(env.ctx, dead)).rejects.toThrow(/still holds 1 VM/);
    await env.services.vms.delete(env.ctx, stuck, { force: true });
    await expect(getVm(stuck)).rejects.toThrow();
    // Should the host come back with it, its agent is told to remove it once it reports it.
    const host = pool().host(dead);
    host.setReachable(true);
    await host.startVm(stuck);
    await env.services.nodeAgents.heartbeat(env.ctx, dead, {
      vms: [{ vmId: stuck, powerState: "RUNNING", ipAddresses: [] }],
    });
    await until(
      () => host.listVms(),
      (list) => list.length === 0,
    );
    expect(await host.listVms()).toEqual([]);
    await env.services.nodes.delete(env.ctx, dead);
  });
});
