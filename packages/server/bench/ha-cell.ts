// The `ha` cell: a simulated cluster of 50 nodes and 1,000 VMs, 300 of them protected by HA; one node
// fails, then five at once, then one is cut off from the control plane. For each, the time from the
// failure to every protected VM RUNNING on another node, where that time goes, how many VMs ran on
// two hosts at once (by asking every simulated host), and how many protected VMs were left unplaced.
import { performance } from "node:perf_hooks";
import { compute, sim } from "@limiquantix/api";
import type { ConfigInput } from "../src/config/schema";
import { ClusterWatch, type VmSeen } from "./cluster-watch";
import { ControllerProbe, type ProbeSummary, summarise } from "./controller-probe";
import { type Spread, spread } from "./cluster-stats";
import { createRunningVms, type SimCluster, sleep, startSimCluster, waitForRunning } from "./sim-cluster";

/** HaCellOptions shape the cell: cluster size, VM size, and the HA settings on top of the server's defaults. */
export interface HaCellOptions {
  readonly nodes: number;
  readonly vms: number;
  readonly haVms: number;
  readonly vcpus: number;
  readonly memoryMib: number;
  /** Settings given to the server on top of its defaults (empty: the defaults). */
  readonly overrides: ConfigInput;
  /** The longest one scenario may take before what is still missing counts as not restarted. */
  readonly timeoutSec: number;
  readonly log: (m: string) => void;
}

/** HaScenarioResult is what one failure scenario measured (times in seconds from the failure). */
export interface HaScenarioResult {
  readonly scenario: string;
  readonly fault: "kill-agent" | "isolate";
  readonly failedNodes: readonly string[];
  readonly haVmsAffected: number;
  readonly otherVmsAffected: number;
  /** Time from the failure to each protected VM RUNNING on another node. */
  readonly restartSec: Spread;
  /** Seconds from the failure until the last protected VM ran elsewhere (undefined: not all did in time). */
  readonly allRunningSec: number | undefined;
  readonly breakdown: {
    /** How old each failed node's last heartbeat was when it failed. */
    readonly heartbeatAgeAtFailureSec: Spread;
    /** Failure → NOT_READY (node-health sweep past ha.checkIntervalSec × ha.failureThreshold). */
    readonly detectSec: Spread;
    /** NOT_READY → FAILED (HA pass: FENCING, the BMC powers the host off). */
    readonly fenceSec: Spread;
    /** FAILED → the VM placed on another node (failover plan and its unit of work). */
    readonly placeSec: Spread;
    /** Placed → RUNNING there (reconciler defines and starts it; the simulated boot). */
    readonly startSec: Spread;
  };
  /** VMs seen active (starting, running, paused, migrating, stopping) on two hosts at once, by asking every host. */
  readonly runningTwice: number;
  /** Protected VMs not RUNNING elsewhere when the scenario ended. */
  readonly unplaced: number;
  /** Whether the failure is within what the cluster's admission control tolerates (hostFailuresToTolerate). */
  readonly withinAdmissionGuarantee: boolean;
  /** Unprotected VMs of the failed nodes that HA marked STOPPED (not restarted, as asked). */
  readonly otherVmsStopped: number;
  /** What the leader's node-health sweeps and HA passes did meanwhile (seconds from the failure). */
  readonly controllers: ProbeSummary;
}

/** HaCellResult is the whole cell: setup, the settings in force, and each scenario. */
export interface HaCellResult {
  readonly setup: {
    readonly nodes: number;
    readonly vms: number;
    readonly haVms: number;
    readonly vmSize: string;
    readonly startupSec: number;
    readonly seedSec: number;
    /** How many protected VMs each node held before the first failure (fewest, most). */
    readonly protectedPerNode: { readonly min: number; readonly max: number };
  };
  readonly settings: Record<string, number | string | boolean>;
  readonly scenarios: readonly HaScenarioResult[];
}

/** ACTIVE are the agent power states in which a VM's guest exists on a host. */
const ACTIVE = new Set(["STARTING", "RUNNING", "PAUSED", "MIGRATING", "STOPPING"]);

/** runHaCell runs the three failure scenarios on one cluster, one after the other (failed nodes stay down). */
export async function runHaCell(o: HaCellOptions): Promise<HaCellResult> {
  o.log(`ha: starting the server with ${o.nodes} simulated nodes …`);
  const cluster = await startSimCluster(o.nodes, o.overrides);
  const watch = new ClusterWatch(cluster);
  const probe = new ControllerProbe(cluster.server);
  try {
    const c = cluster.config;
    const settings = {
      "ha.checkIntervalSec": c.ha.checkIntervalSec,
      "ha.failureThreshold": c.ha.failureThreshold,
      "ha.intervalSec": c.ha.intervalSec,
      "simulation.heartbeatIntervalSec": c.simulation.heartbeatIntervalSec,
      "agents.heartbeatIntervalSec": c.agents.heartbeatIntervalSec,
      "simulation.bootDelayMs": c.simulation.bootDelayMs,
      "reconciler.concurrency": c.reconciler.concurrency,
      fencing: "simulated BMC (sim-bmc): powers the host off",
      admissionControl: "cluster default: tolerate-host-failures, 1 host",
    };
    o.log(`ha: creating ${o.vms} VMs (${o.haVms} with HA) and waiting until they run …`);
    const seedStarted = performance.now();
    const shapes = Array.from({ length: o.vms }, (_, i) => ({
      name: `vm-${String(i).padStart(4, "0")}`,
      vcpus: o.vcpus,
      memoryMib: o.memoryMib,
      // Protected VMs are spread through the creation order, so the scheduler spreads them over the nodes.
      ha: Math.floor(((i + 1) * o.haVms) / o.vms) > Math.floor((i * o.haVms) / o.vms),
    }));
    const ids = await createRunningVms(cluster, shapes);
    await waitForRunning(cluster, ids, 300);
    const seedSec = round((performance.now() - seedStarted) / 1000, 1);
    await watch.start();
    const held = [...cluster.nodeIds.values()].map(
      (id) => [...watch.vms.values()].filter((v) => v.ha && v.nodeId === id).length,
    );
    const protectedPerNode = { min: Math.min(...held), max: Math.max(...held) };

    const tolerate = 1;
    const plan: { scenario: string; fault: "kill-agent" | "isolate"; count: number }[] = [
      { scenario: "1 node fails (agent killed)", fault: "kill-agent", count: 1 },
      { scenario: "5 nodes fail at once (agents killed)", fault: "kill-agent", count: 5 },
      { scenario: "1 node isolated (network cut)", fault: "isolate", count: 1 },
    ];
    const scenarios: HaScenarioResult[] = [];
    const down = new Set<string>();
    for (const p of plan) {
      // The nodes that hold the most protected VMs fail: the longest restart of their kind.
      const hosts = mostProtected(cluster, watch, down, p.count);
      for (const h of hosts) down.add(h);
      o.log(`ha: ${p.scenario}: ${hosts.join(", ")} …`);
      scenarios.push(
        await failAndMeasure(cluster, watch, probe, p.scenario, p.fault, hosts, hosts.length <= tolerate, o),
      );
      const r = scenarios.at(-1)!;
      o.log(
        `ha:   all ${r.haVmsAffected} protected VMs running elsewhere after ${r.allRunningSec ?? "—"} s; running twice ${r.runningTwice}, unplaced ${r.unplaced}`,
      );
    }
    return {
      setup: {
        nodes: o.nodes,
        vms: o.vms,
        haVms: o.haVms,
        vmSize: `${o.vcpus} vCPU, ${o.memoryMib} MiB`,
        startupSec: cluster.startupSec,
        seedSec,
        protectedPerNode,
      },
      settings,
      scenarios,
    };
  } finally {
    await watch.stop();
    await cluster.stop();
  }
}

async function failAndMeasure(
  cluster: SimCluster,
  watch: ClusterWatch,
  probe: ControllerProbe,
  scenario: string,
  fault: "kill-agent" | "isolate",
  hosts: readonly string[],
  withinAdmissionGuarantee: boolean,
  o: HaCellOptions,
): Promise<HaScenarioResult> {
  const failed = new Set(hosts.map((h) => cluster.nodeIds.get(h)!));
  const onFailed = [...watch.vms.values()].filter((v) => failed.has(v.nodeId));
  const protectedVms = onFailed.filter((v) => v.ha && v.powerState === compute.PowerState.RUNNING);
  const others = onFailed.filter((v) => !protectedVms.includes(v));
  const twice = new Set<string>();
  const check = () => {
    for (const id of activeTwice(cluster)) twice.add(id);
  };
  const sampler = setInterval(check, 100);
  const wallAtFailure = Date.now();
  const heartbeatAge = [...failed].map(
    (id) => (wallAtFailure - (watch.lastHeartbeat.get(id) ?? wallAtFailure)) / 1000,
  );
  const t0 = performance.now();
  const since = watch.vmChanges.length;
  const protoFault = fault === "isolate" ? sim.NodeFault.ISOLATE : sim.NodeFault.KILL_AGENT;
  await Promise.all([...failed].map((nodeId) => cluster.simulation.failNode({ nodeId, fault: protoFault })));
  const elsewhere = (v: VmSeen | undefined) =>
    v !== undefined &&
    !failed.has(v.nodeId) &&
    v.nodeId !== "" &&
    v.powerState === compute.PowerState.RUNNING;
  const deadline = t0 + o.timeoutSec * 1000;
  while (!protectedVms.every((v) => elsewhere(watch.vms.get(v.id))) && performance.now() < deadline)
    await sleep(50);
  // A little longer, so a second copy started late would still be seen.
  await sleep(2000);
  check();
  clearInterval(sampler);

  const changes = watch.vmChanges.slice(since);
  const firstAt = (vmId: string, ok: (v: VmSeen) => boolean) =>
    changes.find((c) => c.vm.id === vmId && ok(c.vm))?.at;
  const restart: number[] = [];
  const place: number[] = [];
  const start: number[] = [];
  let unplaced = 0;
  const nodeFailedAt = new Map(
    [...failed].map((id) => [id, watch.firstNodePhase(id, compute.NodePhase.FAILED, t0)]),
  );
  for (const v of protectedVms) {
    const ran = firstAt(v.id, (s) => elsewhere(s));
    const placed = firstAt(v.id, (s) => s.nodeId !== "" && !failed.has(s.nodeId));
    if (ran === undefined || placed === undefined) {
      unplaced++;
      continue;
    }
    restart.push((ran - t0) / 1000);
    const fencedAt = nodeFailedAt.get(v.nodeId);
    if (fencedAt !== undefined) place.push((placed - fencedAt) / 1000);
    start.push((ran - placed) / 1000);
  }
  const detect: number[] = [];
  const fence: number[] = [];
  for (const id of failed) {
    const notReady = watch.firstNodePhase(id, compute.NodePhase.NOT_READY, t0);
    const fencedAt = nodeFailedAt.get(id);
    if (notReady !== undefined) detect.push((notReady - t0) / 1000);
    if (notReady !== undefined && fencedAt !== undefined) fence.push((fencedAt - notReady) / 1000);
  }
  const otherVmsStopped = others.filter((v) => {
    const now = watch.vms.get(v.id);
    return now !== undefined && now.powerState === compute.PowerState.STOPPED;
  }).length;
  return {
    scenario,
    fault,
    failedNodes: [...hosts],
    haVmsAffected: protectedVms.length,
    otherVmsAffected: others.length,
    restartSec: spread(restart),
    allRunningSec: unplaced === 0 && restart.length > 0 ? round(Math.max(...restart), 2) : undefined,
    breakdown: {
      heartbeatAgeAtFailureSec: spread(heartbeatAge),
      detectSec: spread(detect),
      fenceSec: spread(fence),
      placeSec: spread(place),
      startSec: spread(start),
    },
    runningTwice: twice.size,
    unplaced,
    withinAdmissionGuarantee,
    otherVmsStopped,
    controllers: summarise(probe, t0, performance.now()),
  };
}

/** mostProtected picks the `count` up nodes (hostnames) that hold the most protected VMs. */
function mostProtected(
  cluster: SimCluster,
  watch: ClusterWatch,
  down: ReadonlySet<string>,
  count: number,
): string[] {
  const held = new Map<string, number>();
  for (const v of watch.vms.values())
    if (v.ha && v.powerState === compute.PowerState.RUNNING)
      held.set(v.nodeId, (held.get(v.nodeId) ?? 0) + 1);
  return [...cluster.nodeIds]
    .filter(([host]) => !down.has(host))
    .sort(
      ([a, x], [b, y]) =>
        (held.get(y) ?? 0) - (held.get(x) ?? 0) || a.localeCompare(b, "en", { numeric: true }),
    )
    .slice(0, count)
    .map(([host]) => host);
}

/** activeTwice asks every simulated host which VMs it holds and returns those active on more than one. */
function activeTwice(cluster: SimCluster): string[] {
  const hosts = new Map<string, number>();
  for (const agent of cluster.server.sims?.agents ?? [])
    for (const v of agent.hypervisor.list())
      if (ACTIVE.has(v.powerState)) hosts.set(v.vmId, (hosts.get(v.vmId) ?? 0) + 1);
  return [...hosts].filter(([, n]) => n > 1).map(([id]) => id);
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
