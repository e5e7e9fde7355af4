import type { VirtualMachine } from "@limiquantix/domain";
import { type NodeRejections, rejectionsOf, unplaceableError } from "../src/framework/explain";
import { compareIds, feasibleNodesToFind, hash32, tieBreaker } from "../src/framework/ordering";
import { type PlacementContext, SKIP } from "../src/framework/plugin";
import { type ProfileConfig, resolveProfile } from "../src/framework/profile";
import { PluginRegistry } from "../src/framework/registry";
import type { PlaceOptions, Placement } from "../src/placement";
import type { ClusterSnapshot } from "../src/snapshot/cluster-snapshot";
import type { NodeState } from "../src/snapshot/snapshot-types";

/**
 * referencePlace is placement as the scheduler did it before it evaluated columns: node by node
 * in scan order, every filter's `filter`, every score's `score` and `normalize`, ties by node id
 * (or the seeded hash). Tests hold the scheduler to it; it reserves nothing.
 */
export function referencePlace(
  config: ProfileConfig,
  snapshot: ClusterSnapshot,
  vm: VirtualMachine,
  options: PlaceOptions = {},
): Placement {
  const profile = resolveProfile(config, new PluginRegistry());
  const ties = tieBreaker(profile.seed);
  const ctx: PlacementContext = {
    vm,
    demand: { vcpus: vm.spec.cpu.vcpus, memoryMib: vm.spec.memory.sizeMib },
    currentNodeId: snapshot.vm(vm.id)?.nodeId,
    snapshot,
  };
  const filters = profile.filters
    .map((plugin) => ({ plugin, state: plugin.prepare === undefined ? undefined : plugin.prepare(ctx) }))
    .filter((f) => f.state !== SKIP);
  const excluded = new Set(options.excludeNodeIds ?? []);
  const nodes = snapshot.nodes();
  const n = nodes.length;
  const want = feasibleNodesToFind(n, profile.percentageOfNodesToScore);
  const start = n === 0 ? 0 : hash32(`${profile.seed ?? ""}\u0000${vm.id}`) % n;
  const feasible: NodeState[] = [];
  let evaluated = 0;
  for (let i = 0; i < n && feasible.length < want; i++) {
    const node = nodes[(start + i) % n]!;
    evaluated++;
    if (excluded.has(node.id)) continue;
    if (filters.every((f) => f.plugin.filter(node, ctx, f.state) === undefined)) feasible.push(node);
  }
  if (feasible.length === 0) {
    const rejected: NodeRejections[] = nodes.map((node) => ({
      nodeId: node.id,
      nodeName: node.name,
      reasons: rejectionsOf(node, ctx, filters, excluded.has(node.id)),
    }));
    throw unplaceableError(ctx, rejected);
  }
  const scores = profile.scores
    .map(({ plugin, weight }) => ({ plugin, weight, state: plugin.prepare?.(ctx) }))
    .filter((s) => s.state !== SKIP);
  const table = scores.map((s) => {
    const column = new Float64Array(feasible.map((node) => s.plugin.score(node, ctx, s.state)));
    s.plugin.normalize?.(column, feasible, ctx, s.state);
    return column.map((v) => (Number.isNaN(v) ? 0 : v < 0 ? 0 : v > 100 ? 100 : v));
  });
  const totals = new Float64Array(feasible.length);
  scores.forEach((s, k) => {
    for (let j = 0; j < totals.length; j++) totals[j]! += s.weight * table[k]![j]!;
  });
  const better = (a: number, b: number) =>
    totals[a] !== totals[b] ? totals[a]! > totals[b]! : ties(feasible[a]!.id, feasible[b]!.id) < 0;
  let best = 0;
  for (let j = 1; j < feasible.length; j++) if (better(j, best)) best = j;
  const chosen = feasible[best]!;
  const limit = options.candidates ?? 0;
  const order = feasible
    .map((_, j) => j)
    .sort(
      (a, b) =>
        totals[b]! - totals[a]! ||
        ties(feasible[a]!.id, feasible[b]!.id) ||
        compareIds(feasible[a]!.id, feasible[b]!.id),
    );
  return {
    vmId: vm.id,
    vmName: vm.name,
    nodeId: chosen.id,
    nodeName: chosen.name,
    score: totals[best]!,
    evaluatedNodes: evaluated,
    feasibleNodes: feasible.length,
    ...(limit > 0 && {
      candidates: order.slice(0, limit).map((j) => ({
        nodeId: feasible[j]!.id,
        nodeName: feasible[j]!.name,
        score: totals[j]!,
        scores: Object.fromEntries(scores.map((s, k) => [s.plugin.name, table[k]![j]!])),
      })),
    }),
  };
}
