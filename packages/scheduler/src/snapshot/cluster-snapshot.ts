import {
  type Cluster,
  type LabelSelector,
  type Labels,
  type Node,
  type OvercommitRatios,
  type StoragePool,
  TOPOLOGY_NODE,
  type VirtualMachine,
  type VirtualNetwork,
  type Volume,
  failedPrecondition,
  notFound,
} from "@limiquantix/domain";
import { type NodeColumns, NodeTable } from "./node-columns";
import { DEFAULT_OVERCOMMIT, NodeRecord } from "./node-record";
import type { AntiAffinityHolder, NodeState, SnapshotReader, VmState } from "./snapshot-types";
import { VmLabelIndex } from "./vm-label-index";

/** SnapshotInput is everything a snapshot can be built from; every list is optional. */
export interface SnapshotInput {
  readonly nodes?: readonly Node[];
  readonly vms?: readonly VirtualMachine[];
  readonly clusters?: readonly Cluster[];
  readonly storagePools?: readonly StoragePool[];
  readonly volumes?: readonly Volume[];
  readonly networks?: readonly VirtualNetwork[];
  /** Overcommit for nodes whose cluster is unknown or unset (default CPU 2.0, memory 1.5). */
  readonly defaultOvercommit?: OvercommitRatios;
}

/** Reservation records one VM put on a node in a snapshot, so it can be reverted. */
export interface Reservation {
  readonly vmId: string;
  readonly nodeId: string;
  /** The VM as the snapshot held it before the reservation (`undefined`: it was not there). */
  readonly previous: VirtualMachine | undefined;
}

function vmState(vm: VirtualMachine): VmState {
  return {
    id: vm.id,
    name: vm.name,
    vm,
    labels: vm.labels,
    demand: { vcpus: vm.spec.cpu.vcpus, memoryMib: vm.spec.memory.sizeMib },
    nodeId: vm.status.nodeId,
  };
}

/**
 * ClusterSnapshot is the in-memory picture the placement, DRS and HA engines decide on: nodes
 * with capacity, allocation and usage, VMs with demand, rules and placement, and the storage and
 * network reachability of nodes. It is updated incrementally (nodes, VMs and reservations come and
 * go without a rebuild), so a control plane can keep one live snapshot.
 *
 * Allocation on a node is the sum of the demands of the VMs the snapshot holds on it
 * (`status.nodeId`); `Node.status.allocated` is not read, so reservations stay consistent.
 */
export class ClusterSnapshot implements SnapshotReader {
  private readonly nodeRecords = new Map<string, NodeRecord>();
  /** Nodes ordered by id; undefined after a node came or went, until the next read sorts them once. */
  private sortedNodes: NodeRecord[] | undefined;
  /** The nodes as columns, built on first use after nodes came or went; other writes go to their rows. */
  private table: NodeTable | undefined;
  private readonly vmRecords = new Map<string, VmState>();
  private readonly vmsByNode = new Map<string, Set<VmState>>();
  private readonly labelIndex = new VmLabelIndex(() => this.placedVms());
  private readonly overcommitByCluster = new Map<string, OvercommitRatios>();
  private readonly pools = new Map<string, { name: string; nodes: ReadonlySet<string> | null }>();
  private readonly volumePools = new Map<string, string>();
  private readonly networkRecords = new Map<string, { name: string; nodes: ReadonlySet<string> | null }>();
  private readonly defaultOvercommit: OvercommitRatios;
  private writes = 0;

  constructor(input: SnapshotInput = {}) {
    this.defaultOvercommit = input.defaultOvercommit ?? DEFAULT_OVERCOMMIT;
    for (const c of input.clusters ?? []) this.overcommitByCluster.set(c.id, c.spec.overcommit);
    for (const p of input.storagePools ?? []) this.upsertStoragePool(p);
    for (const v of input.volumes ?? []) this.upsertVolume(v);
    for (const n of input.networks ?? []) this.upsertNetwork(n);
    for (const n of input.nodes ?? []) this.nodeRecords.set(n.id, new NodeRecord(n, this.overcommitFor(n)));
    this.addVms(input.vms ?? []);
  }

  get version(): number {
    return this.writes;
  }

  nodes(): readonly NodeState[] {
    return this.sorted();
  }

  /**
   * columns gives the nodes as typed arrays, in the order of `nodes()`, for plugins that evaluate
   * many nodes at once. The snapshot keeps them in step with every later write.
   */
  columns(): NodeColumns {
    if (this.table === undefined) {
      const nodes = this.sorted();
      this.table = new NodeTable(nodes);
      for (let i = 0; i < nodes.length; i++) nodes[i]!.attach(this.table, i);
    }
    return this.table;
  }

  node(id: string): NodeState | undefined {
    return this.nodeRecords.get(id);
  }

  vm(id: string): VmState | undefined {
    return this.vmRecords.get(id);
  }

  vms(): Iterable<VmState> {
    return this.vmRecords.values();
  }

  vmsOn(nodeId: string): Iterable<VmState> {
    return this.vmsByNode.get(nodeId) ?? [];
  }

  placedVmsMatching(selector: LabelSelector): Iterable<VmState> {
    return this.labelIndex.matching(selector);
  }

  antiAffinityHoldersFor(labels: Readonly<Labels>): Iterable<AntiAffinityHolder> {
    return this.labelIndex.holdersFor(labels);
  }

  domainOf(node: NodeState, topologyKey: string): string | undefined {
    if (topologyKey === TOPOLOGY_NODE) return node.id;
    // Own labels only: a key such as `constructor` must not read the prototype.
    return Object.hasOwn(node.labels, topologyKey) ? node.labels[topologyKey] : undefined;
  }

  poolOfVolume(volumeId: string): string | undefined {
    return this.volumePools.get(volumeId);
  }

  poolNodes(poolId: string): ReadonlySet<string> | null | undefined {
    return this.pools.get(poolId)?.nodes;
  }

  networkNodes(networkId: string): ReadonlySet<string> | null | undefined {
    return this.networkRecords.get(networkId)?.nodes;
  }

  nameOf(kind: "pool" | "network", id: string): string {
    return (kind === "pool" ? this.pools : this.networkRecords).get(id)?.name ?? id;
  }

  /** upsertNode adds a node or replaces its entity, keeping the allocation of the VMs on it. */
  upsertNode(node: Node): void {
    this.writes++;
    const existing = this.nodeRecords.get(node.id);
    if (existing !== undefined) {
      existing.update(node, this.overcommitFor(node));
      return;
    }
    const record = new NodeRecord(node, this.overcommitFor(node));
    for (const vm of this.vmsByNode.get(node.id) ?? []) record.charge(vm.demand, 1);
    this.nodeRecords.set(node.id, record);
    this.nodesChanged();
  }

  /** removeNode drops a node; VMs still recorded on it keep their placement and count again if it returns. */
  removeNode(nodeId: string): void {
    const record = this.nodeRecords.get(nodeId);
    if (record === undefined) throw notFound("Node", nodeId);
    this.nodeRecords.delete(nodeId);
    record.attach(undefined);
    this.writes++;
    this.nodesChanged();
  }

  /** upsertVm adds a VM or replaces it, moving its demand and index entries to its current node. */
  upsertVm(vm: VirtualMachine): void {
    this.writes++;
    const old = this.vmRecords.get(vm.id);
    if (old !== undefined) this.unplace(old);
    const record = vmState(vm);
    this.vmRecords.set(vm.id, record);
    this.place(record);
  }

  /** removeVm drops a VM and releases what it held on its node. */
  removeVm(vmId: string): void {
    const old = this.vmRecords.get(vmId);
    if (old === undefined) throw notFound("VirtualMachine", vmId);
    this.writes++;
    this.unplace(old);
    this.vmRecords.delete(vmId);
  }

  /**
   * reserve puts a VM on a node (adding the VM if the snapshot lacks it) and returns the
   * reservation, which `revert` undoes. Revert reservations in the reverse order they were made.
   */
  reserve(vm: VirtualMachine, nodeId: string): Reservation {
    if (!this.nodeRecords.has(nodeId))
      throw failedPrecondition(
        `cannot reserve vm "${vm.name}" on node ${nodeId}: the node is not in the snapshot`,
        {
          resource: { kind: "Node", id: nodeId },
        },
      );
    const previous = this.vmRecords.get(vm.id)?.vm;
    this.upsertVm({ ...vm, status: { ...vm.status, nodeId } });
    return { vmId: vm.id, nodeId, previous };
  }

  /** revert undoes a reservation, restoring the VM as it was before (or removing it if it was new). */
  revert(reservation: Reservation): void {
    if (reservation.previous === undefined) {
      if (this.vmRecords.has(reservation.vmId)) this.removeVm(reservation.vmId);
    } else this.upsertVm(reservation.previous);
  }

  /** upsertCluster sets a cluster's overcommit ratios, re-deriving the capacity of its nodes. */
  upsertCluster(cluster: Cluster): void {
    this.writes++;
    this.overcommitByCluster.set(cluster.id, cluster.spec.overcommit);
    for (const n of this.nodeRecords.values())
      if (n.node.clusterId === cluster.id) n.setOvercommit(cluster.spec.overcommit);
  }

  /** removeCluster forgets a cluster; its nodes fall back to the default overcommit. */
  removeCluster(clusterId: string): void {
    this.writes++;
    this.overcommitByCluster.delete(clusterId);
    for (const n of this.nodeRecords.values())
      if (n.node.clusterId === clusterId) n.setOvercommit(this.defaultOvercommit);
  }

  /** upsertStoragePool records which nodes reach a pool. */
  upsertStoragePool(pool: StoragePool): void {
    this.writes++;
    const ids = pool.spec.nodeIds;
    this.pools.set(pool.id, { name: pool.name, nodes: ids.length === 0 ? null : new Set(ids) });
  }

  /** removeStoragePool forgets a pool. */
  removeStoragePool(poolId: string): void {
    this.writes++;
    this.pools.delete(poolId);
  }

  /** upsertVolume records which pool a volume lives in. */
  upsertVolume(volume: Volume): void {
    this.writes++;
    this.volumePools.set(volume.id, volume.spec.poolId);
  }

  /** removeVolume forgets a volume. */
  removeVolume(volumeId: string): void {
    this.writes++;
    this.volumePools.delete(volumeId);
  }

  /** upsertNetwork records which nodes carry a network. */
  upsertNetwork(network: VirtualNetwork): void {
    this.writes++;
    const ids = network.spec.nodeIds;
    this.networkRecords.set(network.id, {
      name: network.name,
      nodes: ids.length === 0 ? null : new Set(ids),
    });
  }

  /** removeNetwork forgets a network. */
  removeNetwork(networkId: string): void {
    this.writes++;
    this.networkRecords.delete(networkId);
  }

  private overcommitFor(node: Node): OvercommitRatios {
    const own = node.clusterId === undefined ? undefined : this.overcommitByCluster.get(node.clusterId);
    return own ?? this.defaultOvercommit;
  }

  private sorted(): NodeRecord[] {
    this.sortedNodes ??= [...this.nodeRecords.values()].sort((a, b) =>
      a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
    );
    return this.sortedNodes;
  }

  /** nodesChanged drops the order and the columns after a node came or went; both are rebuilt on the next read. */
  private nodesChanged(): void {
    this.sortedNodes = undefined;
    if (this.table === undefined) return;
    for (const n of this.table.nodes) (n as NodeRecord).attach(undefined);
    this.table = undefined;
  }

  private *placedVms(): Iterable<VmState> {
    for (const set of this.vmsByNode.values()) yield* set;
  }

  /**
   * addVms takes the VMs of a new snapshot in one go. Every id is new unless the list repeats one,
   * so each VM is recorded without a look-up first and the label index is built per label; a
   * repeated id (the later VM wins, as upsertVm would have it) starts over VM by VM.
   */
  private addVms(vms: readonly VirtualMachine[]): void {
    const placed: VmState[] = [];
    for (const vm of vms) {
      const record = vmState(vm);
      this.vmRecords.set(vm.id, record);
      if (this.hold(record)) placed.push(record);
    }
    this.writes += vms.length;
    if (this.vmRecords.size === vms.length) {
      this.labelIndex.addAll(placed);
      return;
    }
    this.vmRecords.clear();
    this.vmsByNode.clear();
    for (const n of this.nodeRecords.values()) n.clearAllocation();
    for (const vm of vms) this.upsertVm(vm);
  }

  private place(vm: VmState): void {
    if (this.hold(vm)) this.labelIndex.add(vm);
  }

  /** hold puts a VM on its node (its set, the node's allocation), unless it has none. */
  private hold(vm: VmState): boolean {
    if (vm.nodeId === undefined) return false;
    let set = this.vmsByNode.get(vm.nodeId);
    if (set === undefined) {
      set = new Set();
      this.vmsByNode.set(vm.nodeId, set);
    }
    set.add(vm);
    this.nodeRecords.get(vm.nodeId)?.charge(vm.demand, 1);
    return true;
  }

  private unplace(vm: VmState): void {
    if (vm.nodeId === undefined) return;
    const set = this.vmsByNode.get(vm.nodeId);
    set?.delete(vm);
    if (set?.size === 0) this.vmsByNode.delete(vm.nodeId);
    this.nodeRecords.get(vm.nodeId)?.charge(vm.demand, -1);
    this.labelIndex.remove(vm);
  }
}
