import type { VirtualMachine } from "@limiquantix/domain";
import { type Rejection, rejectionOf } from "../src/framework/explain";
import { type FilterPlugin, type PlacementContext, type ScorePlugin, SKIP } from "../src/framework/plugin";
import type { RejectionTraits } from "../src/framework/rejection";
import type { ClusterSnapshot } from "../src/snapshot/cluster-snapshot";

function contextFor(snapshot: ClusterSnapshot, vm: VirtualMachine): PlacementContext {
  return {
    vm,
    demand: { vcpus: vm.spec.cpu.vcpus, memoryMib: vm.spec.memory.sizeMib },
    currentNodeId: snapshot.vm(vm.id)?.nodeId,
    snapshot,
  };
}

/** rejectionOn runs one filter alone for a VM on one node: its typed rejection, `undefined` for a pass, or "skipped". */
export function rejectionOn(
  plugin: FilterPlugin,
  snapshot: ClusterSnapshot,
  vm: VirtualMachine,
  nodeId: string,
): Rejection | undefined | "skipped" {
  const ctx = contextFor(snapshot, vm);
  const state = plugin.prepare?.(ctx);
  if (state === SKIP) return "skipped";
  const node = snapshot.node(nodeId);
  if (node === undefined) throw new Error(`no node ${nodeId}`);
  const verdict = plugin.filter(node, ctx, state);
  return verdict === undefined ? undefined : rejectionOf(plugin, verdict);
}

/** filterOn runs one filter alone for a VM on one node: its reason, `undefined` for a pass, or "skipped". */
export function filterOn(
  plugin: FilterPlugin,
  snapshot: ClusterSnapshot,
  vm: VirtualMachine,
  nodeId: string,
): string | undefined {
  const r = rejectionOn(plugin, snapshot, vm, nodeId);
  return r === undefined || r === "skipped" ? r : r.reason;
}

/** traitsOn is what rejectionOn says of the rule, without its text: `{ kind, bindsRunning }`, a pass, or "skipped". */
export function traitsOn(
  plugin: FilterPlugin,
  snapshot: ClusterSnapshot,
  vm: VirtualMachine,
  nodeId: string,
): RejectionTraits | undefined | "skipped" {
  const r = rejectionOn(plugin, snapshot, vm, nodeId);
  return r === undefined || r === "skipped" ? r : { kind: r.kind, bindsRunning: r.bindsRunning };
}

/** scoresOf runs one score alone over the given nodes (normalised), or returns "skipped". */
export function scoresOf(
  plugin: ScorePlugin,
  snapshot: ClusterSnapshot,
  vm: VirtualMachine,
  nodeIds: readonly string[],
): number[] | "skipped" {
  const ctx = contextFor(snapshot, vm);
  const state = plugin.prepare?.(ctx);
  if (state === SKIP) return "skipped";
  const nodes = nodeIds.map((id) => snapshot.node(id)!);
  const raw = new Float64Array(nodes.map((n) => plugin.score(n, ctx, state)));
  plugin.normalize?.(raw, nodes, ctx, state);
  return [...raw].map((x) => Math.round(x * 100) / 100);
}
