// Placement benchmark: `pnpm --filter @limiquantix/scheduler bench` prints a table, `-- --json` one JSON object.
// `-- --only=full,snapshot` runs some sections (placement, full, snapshot, drs, ha); `-- --placements=500`
// places that many VMs per placement row instead of the defaults, for quick runs while iterating.
import os from "node:os";
import { performance } from "node:perf_hooks";
import type { VirtualMachine } from "@limiquantix/domain";
import { ClusterSnapshot, DEFAULT_OVERCOMMIT, Scheduler } from "../src/index";
import { generateCluster } from "./cluster-generator";
import { collectGarbage } from "./collect-garbage";
import { runDrs, runHa } from "./drs-ha-runs";
import { checkPlacements } from "./placement-checker";
import { runSnapshotBuild } from "./snapshot-build";

/** PlacementRun is one row of the placement benchmark. */
interface PlacementRun {
  nodes: number;
  affinity: boolean;
  /** `sampled`: the default adaptive percentageOfNodesToScore; `full`: every node scored (100). */
  scan: "sampled" | "full";
  placements: number;
  placementsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  valid: boolean;
  violations: number;
  unplaced: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function runPlacement(
  nodeCount: number,
  affinity: boolean,
  placements: number,
  scan: "sampled" | "full",
): PlacementRun {
  const cluster = generateCluster(nodeCount, 20, placements, affinity);
  const snapshot = new ClusterSnapshot({ nodes: cluster.nodes, vms: cluster.existing });
  const scheduler = new Scheduler({
    profile: { preset: "spread", percentageOfNodesToScore: scan === "full" ? 100 : undefined },
  });
  // Warm the JIT on a throw-away snapshot so the first measured placements are not interpreted code.
  const warm = new ClusterSnapshot({ nodes: cluster.nodes.slice(0, 200) });
  for (const vm of cluster.pending.slice(0, 200))
    scheduler.place(warm, { ...vm, id: `warm-${vm.id}` }, { reserve: true });
  const latencies = new Float64Array(cluster.pending.length);
  collectGarbage();
  const placed: VirtualMachine[] = [];
  let unplaced = 0;
  const start = performance.now();
  for (const [i, vm] of cluster.pending.entries()) {
    const t0 = performance.now();
    try {
      const p = scheduler.place(snapshot, vm, { reserve: true });
      placed.push({ ...vm, status: { ...vm.status, nodeId: p.nodeId } });
    } catch {
      unplaced++;
    }
    latencies[i] = performance.now() - t0;
  }
  const elapsed = performance.now() - start;
  latencies.sort();
  const violations = checkPlacements({
    nodes: cluster.nodes,
    vms: [...cluster.existing, ...placed],
    placedIds: new Set(placed.map((v) => v.id)),
    overcommit: DEFAULT_OVERCOMMIT,
  });
  return {
    nodes: nodeCount,
    affinity,
    scan,
    placements: placed.length,
    placementsPerSec: round((cluster.pending.length / elapsed) * 1000, 1),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    valid: violations.length === 0 && placed.length > 0,
    violations: violations.length,
    unplaced,
  };
}

function option(name: string): string | undefined {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg?.slice(name.length + 3);
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join("  ");
  return [line(header), ...rows.map(line)];
}

function main(): void {
  const json = process.argv.includes("--json");
  const only = new Set(option("only")?.split(",") ?? ["placement", "full", "snapshot", "drs", "ha"]);
  const count = option("placements") === undefined ? undefined : Number(option("placements"));
  // The machine's load when the run started: other work on the cores shows in every figure.
  const host = { cpus: os.cpus().length, loadavg: os.loadavg().map((x) => round(x, 2)) };
  // 10,000 nodes with 20 VMs each: a snapshot built from 200,000 VMs, first, on a fresh heap.
  const snapshot = only.has("snapshot") ? runSnapshotBuild(10_000, 20, 5) : undefined;
  const runs: PlacementRun[] = [];
  if (only.has("placement"))
    for (const nodes of [1_000, 10_000])
      for (const affinity of [false, true])
        runs.push(runPlacement(nodes, affinity, count ?? (nodes === 1_000 ? 2_000 : 5_000), "sampled"));
  // Every node filtered and scored: the work the sampled rows skip.
  const full: PlacementRun[] = [];
  if (only.has("full"))
    for (const affinity of [false, true]) full.push(runPlacement(10_000, affinity, count ?? 2_000, "full"));
  // The move cap is the domain's largest maxMovesPerPass, enough to halve the imbalance of the skewed cluster.
  const drs = only.has("drs") ? runDrs(1_000, 30_000, 1_000) : undefined;
  const ha = only.has("ha") ? runHa(1_000, 30_000, 5) : undefined;
  const strip = ({ violations: _v, unplaced: _u, ...r }: PlacementRun) => r;
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ host, placement: runs.map(strip), fullScan: full.map(strip), snapshot, drs, ha })}\n`,
    );
    return;
  }
  const header = [
    "nodes",
    "affinity",
    "scan",
    "placements",
    "placements/s",
    "p50 ms",
    "p99 ms",
    "valid",
    "unplaced",
  ];
  console.log(`${host.cpus} cpus, load average ${host.loadavg.join(" ")} at the start`);
  console.log("");
  const rows = [...runs, ...full].map((r) =>
    [
      r.nodes,
      r.affinity,
      r.scan,
      r.placements,
      r.placementsPerSec,
      r.p50Ms,
      r.p99Ms,
      r.valid,
      r.unplaced,
    ].map(String),
  );
  if (rows.length > 0) {
    console.log("placement (spread preset, 20 VMs on every node, reservations applied as they are made)");
    for (const l of table(header, rows)) console.log(l);
    console.log("");
  }
  if (snapshot !== undefined) {
    console.log("snapshot build (median of 5; the plain index is Maps and arrays of the same data)");
    const cells = [snapshot.nodes, snapshot.vms, snapshot.snapshotMs, snapshot.plainIndexMs, snapshot.valid];
    for (const l of table(["nodes", "vms", "snapshot ms", "plain index ms", "valid"], [cells.map(String)]))
      console.log(l);
    console.log("");
  }
  if (drs !== undefined) {
    console.log(`drs (skewed cluster, threshold 3, cap ${drs.maxMovesPerPass} moves)`);
    console.log(
      `hosts ${drs.hosts}  vms ${drs.vms}  ms ${drs.ms}  imbalance ${drs.imbalanceBefore} -> ${drs.imbalanceAfter}  moves ${drs.moves}  valid ${drs.valid}`,
    );
  }
  if (ha !== undefined) {
    console.log("ha (failover plan, skewed cluster)");
    console.log(
      `hosts ${ha.hosts}  failed ${ha.failedHosts}  ms ${ha.ms}  restarted ${ha.restarted}  unplaced ${ha.unplaced}  valid ${ha.valid}`,
    );
  }
  for (const r of [...runs, ...full])
    if (!r.valid)
      console.log(`INVALID: ${r.nodes} nodes, affinity ${r.affinity}, ${r.scan}: ${r.violations} violations`);
  if (snapshot !== undefined && !snapshot.valid)
    console.log("INVALID: snapshot allocation differs from the plain index");
}

main();
