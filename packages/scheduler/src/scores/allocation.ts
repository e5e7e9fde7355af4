import type { PlacementContext, ScorePlugin } from "../framework/plugin";
import type { NodeColumns } from "../snapshot/node-columns";
import { RowCache } from "../snapshot/row-cache";
import type { NodeState } from "../snapshot/snapshot-types";

/** fraction is the share of a capacity allocated once `demand` replaces `own` (0..1; 1 for no capacity). */
export function fraction(allocated: number, own: number, demand: number, capacity: number): number {
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

/** demandKey names a request's demand for the caches kept per demand. */
export function demandKey(ctx: PlacementContext): string {
  return `${ctx.demand.vcpus}/${ctx.demand.memoryMib}`;
}

/**
 * allocationScoreColumns is the `scoreColumns` of a score that is a function of the CPU and
 * memory shares a node would have allocated with the VM on it (`cpuFractionAfter`,
 * `memoryFractionAfter`). Requests come in a few sizes: per size it keeps every row's score and
 * recomputes only the rows written since, so a request costs a look-up per node.
 */
export function allocationScoreColumns(
  score: (cpu: number, memory: number) => number,
): NonNullable<ScorePlugin["scoreColumns"]> {
  const bySize = new RowCache<Float64Array>(16);
  return (columns: NodeColumns, rows, count, ctx, _state, out) => {
    const { vcpus, memoryMib } = ctx.demand;
    const { allocatedVcpus, allocatedMemoryMib, capacityVcpus, capacityMemoryMib } = columns;
    const scores = bySize.get(
      columns,
      demandKey(ctx),
      (n) => new Float64Array(n),
      (values, r) => {
        values[r] = score(
          fraction(allocatedVcpus[r]!, 0, vcpus, capacityVcpus[r]!),
          fraction(allocatedMemoryMib[r]!, 0, memoryMib, capacityMemoryMib[r]!),
        );
      },
    );
    // The VM's own node already counts its demand.
    const self = ctx.currentNodeId === undefined ? -1 : columns.indexOf(ctx.currentNodeId);
    const selfScore =
      self < 0
        ? 0
        : score(
            fraction(allocatedVcpus[self]!, vcpus, vcpus, capacityVcpus[self]!),
            fraction(allocatedMemoryMib[self]!, memoryMib, memoryMib, capacityMemoryMib[self]!),
          );
    for (let j = 0; j < count; j++) {
      const r = rows[j]!;
      out[j] = r === self ? selfScore : scores[r]!;
    }
  };
}
