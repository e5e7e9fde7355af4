import { defineFilter } from "../framework/plugin";

/** CAPACITY is the name of the filter that keeps CPU and memory allocation within a node's overcommitted capacity. */
export const CAPACITY = "capacity";

interface CapacityState {
  readonly cpuReason: string;
  readonly memoryReason: string;
  readonly bothReason: string;
}

/**
 * capacityFilter rejects a node whose allocated CPU or memory plus the VM's demand would exceed
 * its allocatable capacity times the overcommit ratio of its cluster (default CPU 2.0, memory 1.5).
 */
export const capacityFilter = defineFilter<CapacityState>({
  name: CAPACITY,
  // A VM's own demand counts in its node's allocation, so an overcommitted node breaks the rule
  // for the VMs it runs as much as for a newcomer.
  rejects: { kind: "capacity", bindsRunning: true },
  prepare(ctx) {
    const { vcpus, memoryMib } = ctx.demand;
    return {
      cpuReason: `insufficient cpu (need ${vcpus} vCPUs)`,
      memoryReason: `insufficient memory (need ${memoryMib} MiB)`,
      bothReason: `insufficient cpu and memory (need ${vcpus} vCPUs, ${memoryMib} MiB)`,
    };
  },
  filter(node, ctx, state) {
    const own = node.id === ctx.currentNodeId;
    const cpuShort = node.allocated.vcpus + (own ? 0 : ctx.demand.vcpus) > node.capacity.vcpus;
    const memShort = node.allocated.memoryMib + (own ? 0 : ctx.demand.memoryMib) > node.capacity.memoryMib;
    if (cpuShort) return memShort ? state.bothReason : state.cpuReason;
    return memShort ? state.memoryReason : undefined;
  },
  filterColumns(columns, rows, count, ctx) {
    const own = ctx.currentNodeId === undefined ? -1 : columns.indexOf(ctx.currentNodeId);
    const { vcpus, memoryMib } = ctx.demand;
    const { allocatedVcpus, allocatedMemoryMib, capacityVcpus, capacityMemoryMib } = columns;
    let kept = 0;
    for (let j = 0; j < count; j++) {
      const r = rows[j]!;
      const self = r === own;
      if (allocatedVcpus[r]! + (self ? 0 : vcpus) > capacityVcpus[r]!) continue;
      if (allocatedMemoryMib[r]! + (self ? 0 : memoryMib) > capacityMemoryMib[r]!) continue;
      rows[kept++] = r;
    }
    return kept;
  },
});
