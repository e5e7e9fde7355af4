import type { PlacementContext } from "../framework/plugin";
import type { NodeState } from "../snapshot/snapshot-types";

function fraction(allocated: number, own: number, demand: number, capacity: number): number {
  if (capacity <= 0) return 1;
  return Math.min(1, Math.max(0, (allocated - own + demand) / capacity));
}

/** cpuFractionAfter is the share of a node's overcommitted CPU that would be allocated with the VM on it (0..1). */
export function cpuFractionAfter(node: NodeState, ctx: PlacementContext): number {
  const own = node.id === ctx.currentNodeId ? ctx.demand.vcpus : 0;
  return fraction(node.allocated.vcpus, own, ctx.demand.vcpus, node.capacity.vcpus);
}

/** memoryFractionAfter is the share of a node's overcommitted memory that would be allocated with the VM on it (0..1). */
export function memoryFractionAfter(node: NodeState, ctx: PlacementContext): number {
  const own = node.id === ctx.currentNodeId ? ctx.demand.memoryMib : 0;
  return fraction(node.allocated.memoryMib, own, ctx.demand.memoryMib, node.capacity.memoryMib);
}
