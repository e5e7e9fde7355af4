// The `drs` cell: a 50-node simulated cluster whose VMs all sit on a few nodes, balanced by DRS in
// full automation. Passes are asked for with RunNow once the previous pass's migrations have ended
// and every node they touched has reported its load since (or at once, with passGap "none"), until
// a pass finds nothing to do; then a few more passes, each a heartbeat round apart, make the settle
// window. Counts passes, migrations (and
// the fewest that would balance the VM count), the imbalance before and after, and moves undone.
import { performance } from "node:perf_hooks";
import { compute } from "@limiquantix/api";
import type { ConfigInput } from "../src/config/schema";
import { deepMerge } from "../src/config/load";
import { ClusterWatch } from "./cluster-watch";
import { createRunningVms, type SimCluster, sleep, startSimCluster, waitForRunning } from "./sim-cluster";

/** DrsCellOptions shape the cell. */
export interface DrsCellOptions {
  readonly nodes: number;
  readonly vms: number;
  /** The nodes every VM starts on; the others start empty. */
  readonly hotNodes: number;
  readonly vcpus: number;
  readonly memoryMib: number;
  /** Passes run after DRS first finds nothing to do, each a heartbeat round after the last. */
  readonly settlePasses: number;
  /**
   * How long after a pass's migrations end the next pass is asked for: `heartbeat` waits until every
   * node they touched has reported its load since (as a pass interval longer than the heartbeat
   * interval does),
   * `none` asks at once, so the pass plans on the loads reported before those migrations.
   */
  readonly passGap: "heartbeat" | "none";
  readonly overrides: ConfigInput;
  readonly log: (m: string) => void;
}

/** Move is one migration the watch saw: a VM's node changed. */
interface Move {
  readonly vmId: string;
  readonly from: string;
  readonly to: string;
  readonly at: number;
  readonly settling: boolean;
}

/** DrsCellResult is what the cell measured. */
export interface DrsCellResult {
  readonly setup: {
    readonly nodes: number;
    readonly vms: number;
    readonly hotNodes: number;
    readonly vmSize: string;
    readonly startupSec: number;
    readonly seedSec: number;
  };
  readonly settings: Record<string, number | string | boolean>;
  /** Passes until the first that started no migration and left none pending. */
  readonly passesToSettle: number;
  readonly migrationsToSettle: number;
  /** The fewest moves that would even out the VM count (every VM alike): the sum of each node's excess; DRS stops sooner, below its tolerance. */
  readonly fewestMoves: number;
  readonly secondsToSettle: number;
  /** Where that time went: in RunNow, waiting for the migrations, and waiting for fresh loads between passes. */
  readonly timeToSettle: {
    readonly runNowSec: number;
    readonly migrationsSec: number;
    readonly gapSec: number;
  };
  readonly imbalanceBefore: number;
  /** After the settle window, with every node's load reported since the last move. */
  readonly imbalanceAfter: number;
  /** The imbalance DRS recorded for its last balancing pass, and what that pass expected to reach. */
  readonly lastPass: { readonly before: number; readonly expectedAfter: number; readonly result: string };
  readonly settlePasses: number;
  readonly migrationsInSettleWindow: number;
  /** VMs that moved back to a node they left, or moved more than once, in the settle window. */
  readonly undoneInSettleWindow: number;
  /** The same over the whole run. */
  readonly undoneOverall: number;
  readonly vmsPerNodeBefore: { readonly min: number; readonly max: number };
  readonly vmsPerNodeAfter: { readonly min: number; readonly max: number };
}

/** runDrsCell builds the skewed cluster and lets DRS balance it. */
export async function runDrsCell(o: DrsCellOptions): Promise<DrsCellResult> {
  o.log(`drs: starting the server with ${o.nodes} simulated nodes (DRS in full automation) …`);
  const cluster = await startSimCluster(
    o.nodes,
    deepMerge({ drs: { automationLevel: "full" } }, o.overrides as Record<string, unknown>) as ConfigInput,
  );
  const watch = new ClusterWatch(cluster);
  try {
    const clusterId = cluster.server.defaults.clusterId;
    const { cluster: spec } = await cluster.clusters.getCluster({ id: clusterId });
    const d = spec?.spec?.drs;
    const c = cluster.config;
    const settings = {
      "cluster.drs.automationLevel": c.drs.automationLevel,
      "cluster.drs.migrationThreshold": d?.migrationThreshold ?? c.drs.migrationThreshold,
      "cluster.drs.maxMovesPerPass": d?.maxMovesPerPass ?? "default",
      "cluster.drs.cpuThresholdPercent": d?.cpuThresholdPercent ?? c.drs.cpuThresholdPercent,
      "cluster.drs.memoryThresholdPercent": d?.memoryThresholdPercent ?? c.drs.memoryThresholdPercent,
      "cluster.drs.intervalSec": d?.intervalSec ?? c.drs.intervalSec,
      "drs.cooldownMinutes": c.drs.cooldownMinutes,
      "drs.parallelMigrationsPerCluster": c.drs.parallelMigrationsPerCluster,
      "drs.parallelMigrationsPerNode": c.drs.parallelMigrationsPerNode,
      "simulation.heartbeatIntervalSec": c.simulation.heartbeatIntervalSec,
      passes:
        o.passGap === "heartbeat"
          ? "RunNow once every node the previous pass's migrations touched had reported its load since they ended"
          : "RunNow as soon as the previous pass's migrations ended",
    };
    const hosts = [...cluster.nodeIds.keys()];
    const cold = hosts.slice(o.hotNodes).map((h) => cluster.nodeIds.get(h)!);
    o.log(`drs: ${o.vms} VMs onto ${o.hotNodes} nodes (the other ${cold.length} cordoned meanwhile) …`);
    const seedStarted = performance.now();
    for (const id of cold) await cluster.nodes.cordonNode({ id });
    const ids = await createRunningVms(
      cluster,
      Array.from({ length: o.vms }, (_, i) => ({
        name: `vm-${String(i).padStart(4, "0")}`,
        vcpus: o.vcpus,
        memoryMib: o.memoryMib,
        ha: false,
      })),
    );
    await waitForRunning(cluster, ids, 900);
    for (const id of cold) await cluster.nodes.uncordonNode({ id });
    // Every node reports its load with the VMs running before DRS looks.
    await sleep(c.simulation.heartbeatIntervalSec * 1500 + 250);
    const seedSec = round((performance.now() - seedStarted) / 1000, 1);
    await watch.start();
    const perNodeBefore = vmsPerNode(
      watch,
      hosts.map((h) => cluster.nodeIds.get(h)!),
    );
    const imbalanceBefore = (await cluster.drs.getStatus({ clusterId })).status?.imbalance ?? 0;
    const fewestMoves = excess(perNodeBefore, o.vms);

    o.log(`drs: balancing (imbalance ${imbalanceBefore.toFixed(4)}) …`);
    const moves: Move[] = [];
    let seen = watch.vmChanges.length;
    let settling = false;
    const collect = () => {
      for (const ch of watch.vmChanges.slice(seen))
        if (ch.before && ch.before.nodeId !== "" && ch.vm.nodeId !== "" && ch.before.nodeId !== ch.vm.nodeId)
          moves.push({ vmId: ch.vm.id, from: ch.before.nodeId, to: ch.vm.nodeId, at: ch.at, settling });
      seen = watch.vmChanges.length;
    };
    const heartbeatRound = c.simulation.heartbeatIntervalSec * 1500 + 250;
    const t0 = performance.now();
    let passes = 0;
    const times: PassTimes = { runNow: 0, migrations: 0, gap: 0 };
    let lastPass = { before: 0, expectedAfter: 0, result: "" };
    for (;;) {
      const movesBefore = moves.length;
      const started = await pass(cluster, clusterId, times);
      passes++;
      collect();
      if (started.startedAny) lastPass = started.summary;
      if (!started.startedAny) break;
      if (passes >= 1000) throw new Error("DRS did not settle within 1,000 passes");
      if (passes % 10 === 0) o.log(`drs:   ${passes} passes, ${moves.length} migrations …`);
      if (o.passGap === "heartbeat") {
        // The next pass plans on loads reported after these migrations, as a pass interval longer
        // than the heartbeat interval would: wait for a heartbeat of every node they touched.
        const touched = new Set(moves.slice(movesBefore).flatMap((m) => [m.from, m.to]));
        const endedAt = Date.now();
        const waitStarted = performance.now();
        while (
          performance.now() - waitStarted < heartbeatRound &&
          [...touched].some((id) => (watch.lastHeartbeat.get(id) ?? 0) <= endedAt)
        )
          await sleep(100);
        await sleep(200);
        times.gap += (performance.now() - waitStarted) / 1000;
      }
    }
    collect();
    const secondsToSettle = round((performance.now() - t0) / 1000, 1);
    const migrationsToSettle = moves.length;
    o.log(`drs:   settled after ${passes} passes and ${migrationsToSettle} migrations; settle window …`);
    settling = true;
    for (let i = 0; i < o.settlePasses; i++) {
      await sleep(heartbeatRound);
      await pass(cluster, clusterId, { runNow: 0, migrations: 0, gap: 0 });
      collect();
    }
    await sleep(heartbeatRound);
    collect();
    const imbalanceAfter = (await cluster.drs.getStatus({ clusterId })).status?.imbalance ?? 0;
    const settleMoves = moves.filter((m) => m.settling);
    return {
      setup: {
        nodes: o.nodes,
        vms: o.vms,
        hotNodes: o.hotNodes,
        vmSize: `${o.vcpus} vCPU, ${o.memoryMib} MiB`,
        startupSec: cluster.startupSec,
        seedSec,
      },
      settings,
      passesToSettle: passes,
      migrationsToSettle,
      fewestMoves,
      secondsToSettle,
      timeToSettle: {
        runNowSec: round(times.runNow, 1),
        migrationsSec: round(times.migrations, 1),
        gapSec: round(times.gap, 1),
      },
      imbalanceBefore: round(imbalanceBefore, 4),
      imbalanceAfter: round(imbalanceAfter, 4),
      lastPass,
      settlePasses: o.settlePasses,
      migrationsInSettleWindow: settleMoves.length,
      undoneInSettleWindow: undone(moves, (m) => m.settling),
      undoneOverall: undone(moves, () => true),
      vmsPerNodeBefore: minMax(perNodeBefore),
      vmsPerNodeAfter: minMax(
        vmsPerNode(
          watch,
          hosts.map((h) => cluster.nodeIds.get(h)!),
        ),
      ),
    };
  } finally {
    await watch.stop();
    await cluster.stop();
  }
}

/** PassTimes adds up where the balancing passes' time went, in seconds. */
interface PassTimes {
  /** In RunNow: from the request until the leader's pass had run and recorded itself. */
  runNow: number;
  /** From RunNow's answer until the migrations the pass started had ended. */
  migrations: number;
  /** Waiting for every node to report its load before the next pass (passGap "heartbeat"). */
  gap: number;
}

/**
 * pass asks for a pass with RunNow and waits until the migrations it started have ended; it says
 * whether it started any (or left any pending for want of a slot).
 */
async function pass(
  cluster: SimCluster,
  clusterId: string,
  times: PassTimes,
): Promise<{ startedAny: boolean; summary: { before: number; expectedAfter: number; result: string } }> {
  const t0 = performance.now();
  const res = await cluster.drs.runNow({ clusterId });
  const t1 = performance.now();
  const st = res.status;
  const result = st?.lastResult ?? "";
  const started = Number(/(\d+) migration\(s\) started/.exec(result)?.[1] ?? 0);
  const waiting = /waiting for a migration slot/.test(result);
  for (;;) {
    const s = (await cluster.drs.getStatus({ clusterId })).status;
    if ((s?.applyingRecommendations ?? 0) === 0 && (s?.migrationsInFlight ?? 0) === 0) break;
    await sleep(50);
  }
  const t2 = performance.now();
  times.runNow += (t1 - t0) / 1000;
  times.migrations += (t2 - t1) / 1000;
  if (process.env.LQX_BENCH_DRS_TRACE)
    process.stderr.write(
      `pass: RunNow ${Math.round(t1 - t0)} ms, migrations ${Math.round(t2 - t1)} ms; imbalance ${st?.imbalanceBefore?.toFixed(4)} → ${st?.imbalanceAfter?.toFixed(4)}: ${result}\n`,
    );
  return {
    startedAny: started > 0 || waiting,
    summary: {
      before: round(st?.imbalanceBefore ?? 0, 4),
      expectedAfter: round(st?.imbalanceAfter ?? 0, 4),
      result,
    },
  };
}

function vmsPerNode(watch: ClusterWatch, nodeIds: readonly string[]): number[] {
  const count = new Map(nodeIds.map((id) => [id, 0]));
  for (const v of watch.vms.values())
    if (count.has(v.nodeId) && v.powerState === compute.PowerState.RUNNING)
      count.set(v.nodeId, count.get(v.nodeId)! + 1);
  return [...count.values()];
}

/** excess is the fewest single-VM moves that leave every node within one VM of the mean. */
function excess(perNode: readonly number[], total: number): number {
  const high = Math.ceil(total / perNode.length);
  return perNode.reduce((a, n) => a + Math.max(0, n - high), 0);
}

function undone(moves: readonly Move[], counted: (m: Move) => boolean): number {
  const byVm = new Map<string, Move[]>();
  for (const m of moves) byVm.set(m.vmId, [...(byVm.get(m.vmId) ?? []), m]);
  let n = 0;
  for (const list of byVm.values()) if (list.length > 1 && list.slice(1).some(counted)) n++;
  return n;
}

const minMax = (xs: readonly number[]) => ({ min: Math.min(...xs), max: Math.max(...xs) });
const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
