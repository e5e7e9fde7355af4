import type {
  LabelSelector,
  Labels,
  Node,
  NodeUsage,
  OvercommitRatios,
  ResourceAmounts,
  Taint,
  VirtualMachine,
  VmAffinityTerm,
} from "@limiquantix/domain";

/** Allocation is the CPU and memory promised to the VMs placed on a node, and how many they are. */
export interface Allocation {
  readonly vcpus: number;
  readonly memoryMib: number;
  readonly vmCount: number;
}

/** NodeState is a node as the scheduler sees it: the entity plus derived capacity and live allocation. */
export interface NodeState {
  readonly id: string;
  readonly name: string;
  readonly node: Node;
  readonly labels: Readonly<Labels>;
  /** READY, not cordoned and a compute node (domain `isSchedulable`). */
  readonly schedulable: boolean;
  /** Capacity offered to VMs before overcommit. */
  readonly allocatable: ResourceAmounts;
  /** The overcommit ratios in force for the node (its cluster's, or the snapshot defaults). */
  readonly overcommit: OvercommitRatios;
  /** Capacity after overcommit: the most that may be allocated on the node. */
  readonly capacity: ResourceAmounts;
  /** Sum of the demands of the VMs placed on the node (reservations included). */
  readonly allocated: Allocation;
  /** Live usage last reported by the node's agent, for DRS. */
  readonly usage: NodeUsage | undefined;
  /** Taints that forbid placement (NoSchedule and NoExecute). */
  readonly hardTaints: readonly Taint[];
  /** Taints that only discourage placement (PreferNoSchedule). */
  readonly softTaints: readonly Taint[];
}

/** VmState is a VM as the scheduler sees it: the entity, its demand and where it is placed. */
export interface VmState {
  readonly id: string;
  readonly name: string;
  readonly vm: VirtualMachine;
  readonly labels: Readonly<Labels>;
  /** CPU and memory the VM holds on its node. */
  readonly demand: ResourceAmounts;
  /** The node the VM is placed on, if any. */
  readonly nodeId: string | undefined;
}

/** AntiAffinityHolder is a placed VM whose required anti-affinity term selects the VM being asked about. */
export interface AntiAffinityHolder {
  readonly holder: VmState;
  readonly term: VmAffinityTerm;
}

/** SnapshotReader is the read side of a cluster snapshot, which plugins and the DRS and HA engines use. */
export interface SnapshotReader {
  /** Changes on every write, so a caller can tell whether a cached result is stale. */
  readonly version: number;
  /** Every node, ordered by id. */
  nodes(): readonly NodeState[];
  node(id: string): NodeState | undefined;
  vm(id: string): VmState | undefined;
  /** Every VM the snapshot holds, placed or not. */
  vms(): Iterable<VmState>;
  /** The VMs placed on a node (the node need not be in the snapshot). */
  vmsOn(nodeId: string): Iterable<VmState>;
  /** The placed VMs whose labels match a selector, found through the label index. */
  placedVmsMatching(selector: LabelSelector): Iterable<VmState>;
  /** The placed VMs with a required anti-affinity term that selects these labels. */
  antiAffinityHoldersFor(labels: Readonly<Labels>): Iterable<AntiAffinityHolder>;
  /** The topology domain of a node for a key: its id for `node`, else the value of that node label. */
  domainOf(node: NodeState, topologyKey: string): string | undefined;
  /** The pool a volume lives in, if the snapshot knows the volume. */
  poolOfVolume(volumeId: string): string | undefined;
  /** The nodes that reach a pool (`null`: every node), or `undefined` for an unknown pool. */
  poolNodes(poolId: string): ReadonlySet<string> | null | undefined;
  /** The nodes that carry a network (`null`: every node), or `undefined` for an unknown network. */
  networkNodes(networkId: string): ReadonlySet<string> | null | undefined;
  /** A display name for a pool or network id (the id when unknown). */
  nameOf(kind: "pool" | "network", id: string): string;
}
