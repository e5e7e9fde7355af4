// Placement benchmark: `pnpm --filter @limiquantix/scheduler bench` prints a table, `-- --json` one JSON object.
import { performance } from "node:perf_hooks";
import type { VirtualMachine } from "@limiquantix/domain";
import { ClusterSnapshot, DEFAULT_OVERCOMMIT, Scheduler } from "../src/index";
import { generateCluster } from "./cluster-generator";
import { runDrs, runHa } from "./drs-ha-runs";
import { checkPlacements } from "./placement-checker";

/** PlacementRun is one row of the placement benchmark. */
interface PlacementRun {
  nodes: number;
  affinity: boolean;
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

function runPlacement(nodeCount: number, affinity: boolean, placements: number): PlacementRun {
  const cluster = generateCluster(nodeCount, 20, placements, affinity);
  const snapshot = new ClusterSnapshot({ nodes: cluster.nodes, vms: cluster.existing });
  const scheduler = new Scheduler({ profile: { preset: "spread" } });
  // Warm the JIT on a throw-away snapshot so the first measured placements are not interpreted code.
  const warm = new ClusterSnapshot({ nodes: cluster.nodes.slice(0, 200) });
  for (const vm of cluster.pending.slice(0, 200))
    scheduler.place(warm, { ...vm, id: `warm-${vm.id}` }, { reserve: true });
  const latencies = new Float64Array(cluster.pending.length);
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
    placements: placed.length,
    placementsPerSec: round((cluster.pending.length / elapsed) * 1000, 1),
    p50Ms: round(percentile(latencies, 50)),
    p99Ms: round(percentile(latencies, 99)),
    valid: violations.length === 0 && placed.length > 0,
    violations: violations.length,
    unplaced,
  };
}

function main(): void {
  const json = process.argv.includes("--json");
  const runs: PlacementRun[] = [];
  for (const nodes of [1_000, 10_000])
    for (const affinity of [false, true])
      runs.push(runPlacement(nodes, affinity, nodes === 1_000 ? 2_000 : 5_000));
  // The move cap is the domain's largest maxMovesPerPass, enough to halve the imbalance of the skewed cluster.
  const drs = runDrs(1_000, 30_000, 1_000);
  const ha = runHa(1_000, 30_000, 5);
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ placement: runs.map(({ violations: _v, unplaced: _u, ...r }) => r), drs, ha })}\n`,
    );
    return;
  }
  const header = ["nodes", "affinity", "placements", "placements/s", "p50 ms", "p99 ms", "valid", "unplaced"];
  const rows = runs.map((r) =>
    [r.nodes, r.affinity, r.placements, r.placementsPerSec, r.p50Ms, r.p99Ms, r.valid, r.unplaced].map(
      String,
    ),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i]!)).join("  ");
  console.log("placement (spread preset, 20 VMs on every node, reservations applied as they are made)");
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  console.log("");
  console.log(`drs (skewed cluster, threshold 3, cap ${drs.maxMovesPerPass} moves)`);
  console.log(
    `hosts ${drs.hosts}  vms ${drs.vms}  ms ${drs.ms}  imbalance ${drs.imbalanceBefore} -> ${drs.imbalanceAfter}  moves ${drs.moves}  valid ${drs.valid}`,
  );
  console.log("ha (failover plan, skewed cluster)");
  console.log(
    `hosts ${ha.hosts}  failed ${ha.failedHosts}  ms ${ha.ms}  restarted ${ha.restarted}  unplaced ${ha.unplaced}  valid ${ha.valid}`,
  );
  for (const r of runs)
    if (!r.valid)
      console.log(`INVALID: ${r.nodes} nodes, affinity ${r.affinity}: ${r.violations} violations`);
}

main();
