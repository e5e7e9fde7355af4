import {
  isSchedulable,
  type Labels,
  logicalCpus,
  type Node,
  type NodeUsage,
  type OvercommitRatios,
  type ResourceAmounts,
  type Taint,
} from "@limiquantix/domain";
import type { NodeTable } from "./node-columns";
import type { NodeState } from "./snapshot-types";

/** DEFAULT_OVERCOMMIT is the overcommit in force when a node's cluster sets none: CPU 2.0, memory 1.5. */
export const DEFAULT_OVERCOMMIT: OvercommitRatios = Object.freeze({ cpu: 2.0, memory: 1.5 });

/** allocatableOf is what a node offers to VMs before overcommit; a node that has not reported it yet is derived from its spec. */
export function allocatableOf(node: Node): ResourceAmounts {
  const a = node.status.allocatable;
  if (a.vcpus > 0 || a.memoryMib > 0) return a;
  return {
    vcpus: Math.max(0, logicalCpus(node.spec.cpu) - node.spec.reserved.vcpus),
    memoryMib: Math.max(0, node.spec.memoryMib - node.spec.reserved.memoryMib),
  };
}

/** NodeRecord is the snapshot's mutable NodeState; callers only ever see it through the read-only interface. */
export class NodeRecord implements NodeState {
  id: string;
  name = "";
  node!: Node;
  labels: Readonly<Labels> = {};
  schedulable = false;
  allocatable: ResourceAmounts = { vcpus: 0, memoryMib: 0 };
  overcommit: OvercommitRatios = DEFAULT_OVERCOMMIT;
  capacity: ResourceAmounts = { vcpus: 0, memoryMib: 0 };
  usage: NodeUsage | undefined;
  hardTaints: readonly Taint[] = [];
  softTaints: readonly Taint[] = [];
  /** Kept as one object updated in place so reading it per node allocates nothing. */
  readonly allocated: { vcpus: number; memoryMib: number; vmCount: number } = {
    vcpus: 0,
    memoryMib: 0,
    vmCount: 0,
  };
  /** The columns the record writes its changes to, and its row there, once the snapshot built them. */
  private table: NodeTable | undefined;
  private row = -1;

  constructor(node: Node, overcommit: OvercommitRatios) {
    this.id = node.id;
    this.update(node, overcommit);
  }

  /** update takes a new version of the node, keeping the allocation the snapshot tracks. */
  update(node: Node, overcommit: OvercommitRatios): void {
    this.node = node;
    this.name = node.name;
    this.labels = node.labels;
    this.schedulable = isSchedulable(node);
    this.allocatable = allocatableOf(node);
    this.usage = node.status.usage;
    this.hardTaints = node.spec.taints.filter((t) => t.effect !== "PreferNoSchedule");
    this.softTaints = node.spec.taints.filter((t) => t.effect === "PreferNoSchedule");
    this.setOvercommit(overcommit);
  }

  /** setOvercommit applies new ratios, as when the node's cluster changes its settings. */
  setOvercommit(overcommit: OvercommitRatios): void {
    this.overcommit = overcommit;
    this.capacity = {
      vcpus: Math.floor(this.allocatable.vcpus * overcommit.cpu),
      memoryMib: Math.floor(this.allocatable.memoryMib * overcommit.memory),
    };
    this.table?.refresh(this.row);
  }

  /** charge adds (sign 1) or releases (sign -1) a VM's demand. */
  charge(demand: ResourceAmounts, sign: 1 | -1): void {
    this.allocated.vcpus += sign * demand.vcpus;
    this.allocated.memoryMib += sign * demand.memoryMib;
    this.allocated.vmCount += sign;
    this.table?.refreshAllocation(this.row);
  }

  /** clearAllocation forgets every VM charged to the node. */
  clearAllocation(): void {
    this.allocated.vcpus = 0;
    this.allocated.memoryMib = 0;
    this.allocated.vmCount = 0;
    this.table?.refreshAllocation(this.row);
  }

  /** attach makes the record keep a row of the snapshot's columns in step (`undefined`: none). */
  attach(table: NodeTable | undefined, row = -1): void {
    this.table = table;
    this.row = row;
  }
}
