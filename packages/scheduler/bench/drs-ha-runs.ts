// DRS and HA runs of the scheduler benchmark, each re-checked by the independent checker.
import { performance } from "node:perf_hooks";
import type { VirtualMachine } from "@limiquantix/domain";
import { ClusterSnapshot, DEFAULT_OVERCOMMIT, planDrs, planFailover, Scheduler } from "../src/index";
import { collectGarbage } from "./collect-garbage";
import { checkPlacements } from "./placement-checker";
import { generateSkewedCluster } from "./skewed-cluster";

/** DrsRun is the DRS row of the benchmark. */
export interface DrsRun {
  hosts: number;
  vms: number;
  maxMovesPerPass: number;
  ms: number;
  imbalanceBefore: number;
  imbalanceAfter: number;
  moves: number;
  valid: boolean;
}

/** HaRun is the HA row of the benchmark. */
export interface HaRun {
  hosts: number;
  failedHosts: number;
  ms: number;
  restarted: number;
  unplaced: number;
  valid: boolean;
}

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

/** runDrs times one DRS pass over a seeded skewed cluster and re-checks every proposed move. */
export function runDrs(hosts: number, vmCount: number, maxMovesPerPass: number): DrsRun {
  const scheduler = new Scheduler();
  const warm = generateSkewedCluster(60, 1800, 7);
  planDrs(scheduler, new ClusterSnapshot(warm), { clusterId: "bench", settings: { maxMovesPerPass } });
  const cluster = generateSkewedCluster(hosts, vmCount);
  const snapshot = new ClusterSnapshot(cluster);
  collectGarbage();
  const t0 = performance.now();
  const result = planDrs(scheduler, snapshot, { clusterId: "bench", settings: { maxMovesPerPass } });
  const ms = performance.now() - t0;
  const moves = result.recommendations.filter((r) => r.type === "MIGRATE");
  const target = new Map(moves.map((m) => [m.vmId!, m.targetNodeId!]));
  const vms: VirtualMachine[] = cluster.vms.map((v) =>
    target.has(v.id) ? { ...v, status: { ...v.status, nodeId: target.get(v.id) } } : v,
  );
  const violations = checkPlacements({
    nodes: cluster.nodes,
    vms,
    placedIds: new Set(target.keys()),
    overcommit: DEFAULT_OVERCOMMIT,
  });
  return {
    hosts,
    vms: vmCount,
    maxMovesPerPass,
    ms: round(ms, 1),
    imbalanceBefore: round(result.imbalanceBefore),
    imbalanceAfter: round(result.imbalanceAfter),
    moves: moves.length,
    valid: violations.length === 0 && target.size === moves.length,
  };
}

/** runHa times the failover plan for failed hosts of a seeded skewed cluster and re-checks every restart. */
export function runHa(hosts: number, vmCount: number, failedHosts: number): HaRun {
  const scheduler = new Scheduler();
  const cluster = generateSkewedCluster(hosts, vmCount);
  const step = Math.floor(hosts / failedHosts);
  const failed = new Set(Array.from({ length: failedHosts }, (_, i) => cluster.nodes[i * step]!.id));
  // The control plane marks failed hosts NOT_READY before planning; the checker sees the same.
  const nodes = cluster.nodes.map((n) =>
    failed.has(n.id) ? { ...n, status: { ...n.status, phase: "NOT_READY" as const } } : n,
  );
  const snapshot = new ClusterSnapshot({ nodes, vms: cluster.vms });
  planFailover(scheduler, snapshot, [...failed].slice(0, 1));
  collectGarbage();
  const t0 = performance.now();
  const plan = planFailover(scheduler, snapshot, [...failed]);
  const ms = performance.now() - t0;
  const target = new Map(plan.restarts.map((r) => [r.vmId, r.targetNodeId]));
  const stranded = new Set(plan.unplaced.map((u) => u.vmId));
  const vms = cluster.vms.map((v) => {
    if (target.has(v.id)) return { ...v, status: { ...v.status, nodeId: target.get(v.id) } };
    if (stranded.has(v.id)) return { ...v, status: { ...v.status, nodeId: undefined } };
    return v;
  });
  const violations = checkPlacements({
    nodes,
    vms,
    placedIds: new Set(target.keys()),
    overcommit: DEFAULT_OVERCOMMIT,
  });
  const ordered = plan.restarts.every(
    (r, i) =>
      i === 0 ||
      ["high", "medium", "low"].indexOf(r.priority) >=
        ["high", "medium", "low"].indexOf(plan.restarts[i - 1]!.priority),
  );
  return {
    hosts,
    failedHosts,
    ms: round(ms, 1),
    restarted: plan.restarts.length,
    unplaced: plan.unplaced.length,
    valid: violations.length === 0 && ordered && plan.restarts.every((r) => !failed.has(r.targetNodeId)),
  };
}
