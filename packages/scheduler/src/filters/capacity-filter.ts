import type { PlacementContext } from "../framework/plugin";
import { defineFilter } from "../framework/plugin";
import { keepByRule, type RowRule, withRowRule } from "../framework/row-rules";
import type { NodeColumns } from "../snapshot/node-columns";
import { RowCache } from "../snapshot/row-cache";

/** CAPACITY is the name of the filter that keeps CPU and memory allocation within a node's overcommitted capacity. */
export const CAPACITY = "capacity";

interface CapacityState {
  readonly cpuReason: string;
  readonly memoryReason: string;
  readonly bothReason: string;
}

// Requests come in a few sizes: per size, whether each row still has room for it.
const fitsBySize = new RowCache<Uint8Array>(16);

/** roomRule is the capacity filter as a RowRule: the rows with room for the demand, and the VM's own node on its own terms. */
function roomRule(columns: NodeColumns, ctx: PlacementContext): RowRule {
  const { vcpus, memoryMib } = ctx.demand;
  const { allocatedVcpus, allocatedMemoryMib, capacityVcpus, capacityMemoryMib } = columns;
  const marks = fitsBySize.get(
    columns,
    `${vcpus}/${memoryMib}`,
    (n) => new Uint8Array(n),
    (fits, r) => {
      const short =
        allocatedVcpus[r]! + vcpus > capacityVcpus[r]! ||
        allocatedMemoryMib[r]! + memoryMib > capacityMemoryMib[r]!;
      fits[r] = short ? 0 : 1;
    },
  );
  // The VM's own node already counts its demand.
  const self = ctx.currentNodeId === undefined ? -1 : columns.indexOf(ctx.currentNodeId);
  const selfFits =
    self >= 0 &&
    !(allocatedVcpus[self]! > capacityVcpus[self]!) &&
    !(allocatedMemoryMib[self]! > capacityMemoryMib[self]!);
  return { require: 0, forbid: 0, marks, except: self, exceptPasses: selfFits };
}

/**
 * capacityFilter rejects a node whose allocated CPU or memory plus the VM's demand would exceed
 * its allocatable capacity times the overcommit ratio of its cluster (default CPU 2.0, memory 1.5).
 */
export const capacityFilter = withRowRule(
  defineFilter<CapacityState>({
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
    filterColumns: (columns, rows, count, ctx) => keepByRule(columns, roomRule(columns, ctx), rows, count),
  }),
  roomRule,
);
