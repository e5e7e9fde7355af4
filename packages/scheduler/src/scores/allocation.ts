import type { PlacementContext } from "../framework/plugin";
import type { NodeColumns } from "../snapshot/node-columns";
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

/** AllocationShares are cpuFractionAfter and memoryFractionAfter of each feasible row of one request. */
export interface AllocationShares {
  readonly cpu: Float64Array;
  readonly memory: Float64Array;
}

interface Remembered extends AllocationShares {
  readonly columns: NodeColumns;
  readonly rows: Int32Array;
  readonly count: number;
}

// The shares of a request, so the allocation scores (spread or pack, and balanced) divide once.
const remembered = new WeakMap<PlacementContext, Remembered>();

/**
 * sharesAfter gives, for row `rows[j]` at j, the shares cpuFractionAfter and memoryFractionAfter
 * give its node, with the same arithmetic over the snapshot's columns. Asked again for the same
 * request and rows, it answers from memory.
 */
export function sharesAfter(
  columns: NodeColumns,
  rows: Int32Array,
  count: number,
  ctx: PlacementContext,
): AllocationShares {
  const known = remembered.get(ctx);
  if (known !== undefined && known.columns === columns && known.rows === rows && known.count === count)
    return known;
  const self = ctx.currentNodeId === undefined ? -1 : columns.indexOf(ctx.currentNodeId);
  const { vcpus, memoryMib } = ctx.demand;
  const { allocatedVcpus, allocatedMemoryMib, capacityVcpus, capacityMemoryMib } = columns;
  const cpu = new Float64Array(count);
  const memory = new Float64Array(count);
  for (let j = 0; j < count; j++) {
    const r = rows[j]!;
    const own = r === self;
    cpu[j] = fraction(allocatedVcpus[r]!, own ? vcpus : 0, vcpus, capacityVcpus[r]!);
    memory[j] = fraction(allocatedMemoryMib[r]!, own ? memoryMib : 0, memoryMib, capacityMemoryMib[r]!);
  }
  const shares = { columns, rows, count, cpu, memory };
  remembered.set(ctx, shares);
  return shares;
}
