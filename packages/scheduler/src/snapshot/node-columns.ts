import { type Labels, TOPOLOGY_NODE } from "@limiquantix/domain";
import type { NodeState } from "./snapshot-types";

/** NodeFlags are the bits of `NodeColumns.flags`: node facts the built-in filters and scores test per node. */
export const NodeFlags = Object.freeze({
  /** `status.phase` is READY and the node is not cordoned (what the `node-ready` filter passes). */
  READY: 1,
  /** The node has the `compute` role. */
  COMPUTE: 2,
  /** The node carries NoSchedule or NoExecute taints (`hardTaints` is not empty). */
  HARD_TAINTS: 4,
  /** The node carries PreferNoSchedule taints (`softTaints` is not empty). */
  SOFT_TAINTS: 8,
});

/**
 * LabelColumn is one label key (or topology key) over every node: the code of each node's value,
 * -1 where the node has none, and the values by code, so a rule about values is decided once per
 * distinct value rather than once per node.
 */
export interface LabelColumn {
  /** Per node index, the code of its value, or -1 when the node lacks the label. */
  readonly codes: Int32Array;
  /** The values by code; codes only grow while the column lives, so a code never changes meaning. */
  readonly values: readonly string[];
  /** codeOf gives the code of a value, or -1 when no node has ever carried it. */
  codeOf(value: string): number;
}

/**
 * NodeColumns is a snapshot's nodes as typed arrays, one row per node in the order of
 * `SnapshotReader.nodes()` (by id), for plugins that evaluate many nodes at once
 * (`filterColumns`, `scoreColumns`). The snapshot keeps it in step with every write, so its
 * arrays are live views: read them during a request, never keep them across writes.
 */
export interface NodeColumns {
  /** The node of each row, by id; a row's index is the node's position here. */
  readonly nodes: readonly NodeState[];
  /** `capacity.vcpus` of each node: allocatable vCPUs after overcommit. */
  readonly capacityVcpus: Float64Array;
  /** `capacity.memoryMib` of each node. */
  readonly capacityMemoryMib: Float64Array;
  /** `allocated.vcpus` of each node, reservations included. */
  readonly allocatedVcpus: Float64Array;
  /** `allocated.memoryMib` of each node, reservations included. */
  readonly allocatedMemoryMib: Float64Array;
  /** NodeFlags bits of each node. */
  readonly flags: Uint8Array;
  /**
   * revision counts the writes to rows (a node's allocation, entity or overcommit changed). With
   * rowsChangedSince, a plugin can keep values derived per row and redo only the rows written since.
   */
  readonly revision: number;
  /**
   * rowsChangedSince lists the rows written after a revision (a row may repeat), or is undefined
   * when the columns no longer remember that far back: then every row may have changed.
   */
  rowsChangedSince(revision: number): Int32Array | undefined;
  /** indexOf gives the row of a node id, or -1 when the snapshot lacks it. */
  indexOf(nodeId: string): number;
  /** label gives the column of a node label key. */
  label(key: string): LabelColumn;
  /**
   * domains gives the column of a topology key as `SnapshotReader.domainOf` reads it: the node
   * itself (code = row, value = id) for `node`, else the node label of that key.
   */
  domains(topologyKey: string): LabelColumn;
  /**
   * members marks (1) the rows of the ids in a set of node ids. It is remembered per set, so pass
   * only sets that do not change afterwards, such as the snapshot's `poolNodes` and `networkNodes`.
   */
  members(nodeIds: ReadonlySet<string>): Uint8Array;
}

function flagsOf(node: NodeState): number {
  const n = node.node;
  let f = 0;
  if (n.status.phase === "READY" && !n.spec.cordoned) f |= NodeFlags.READY;
  if (n.spec.roles.includes("compute")) f |= NodeFlags.COMPUTE;
  if (node.hardTaints.length > 0) f |= NodeFlags.HARD_TAINTS;
  if (node.softTaints.length > 0) f |= NodeFlags.SOFT_TAINTS;
  return f;
}

// How many row writes the columns remember for rowsChangedSince.
const JOURNAL_LIMIT = 4096;

class Column implements LabelColumn {
  readonly values: string[] = [];
  private readonly dictionary = new Map<string, number>();

  constructor(readonly codes: Int32Array) {}

  codeOf(value: string): number {
    return this.dictionary.get(value) ?? -1;
  }

  intern(value: string): number {
    let code = this.dictionary.get(value);
    if (code === undefined) {
      code = this.values.length;
      this.values.push(value);
      this.dictionary.set(value, code);
    }
    return code;
  }

  read(row: number, labels: Readonly<Labels>, key: string): void {
    this.codes[row] = Object.hasOwn(labels, key) ? this.intern(labels[key]!) : -1;
  }
}

/**
 * NodeTable is the snapshot's NodeColumns for one set of nodes. The snapshot builds a new one
 * when nodes come or go (rows would shift) and writes every other change to a node into its row.
 */
export class NodeTable implements NodeColumns {
  readonly capacityVcpus: Float64Array;
  readonly capacityMemoryMib: Float64Array;
  readonly allocatedVcpus: Float64Array;
  readonly allocatedMemoryMib: Float64Array;
  readonly flags: Uint8Array;
  private readonly rows = new Map<string, number>();
  private readonly labels = new Map<string, Column>();
  private identity: Column | undefined;
  private readonly masks = new WeakMap<ReadonlySet<string>, Uint8Array>();
  revision = 0;
  /** The rows of the latest writes: `journal[i]` was written by revision `forgotten + i + 1`. */
  private journal = new Int32Array(64);
  private journaled = 0;
  private forgotten = 0;

  constructor(readonly nodes: readonly NodeState[]) {
    const n = nodes.length;
    this.capacityVcpus = new Float64Array(n);
    this.capacityMemoryMib = new Float64Array(n);
    this.allocatedVcpus = new Float64Array(n);
    this.allocatedMemoryMib = new Float64Array(n);
    this.flags = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      this.rows.set(nodes[i]!.id, i);
      this.read(i);
    }
  }

  rowsChangedSince(revision: number): Int32Array | undefined {
    if (revision < this.forgotten || revision > this.revision) return undefined;
    return this.journal.subarray(revision - this.forgotten, this.journaled);
  }

  indexOf(nodeId: string): number {
    return this.rows.get(nodeId) ?? -1;
  }

  label(key: string): LabelColumn {
    let column = this.labels.get(key);
    if (column === undefined) {
      column = new Column(new Int32Array(this.nodes.length));
      for (let i = 0; i < this.nodes.length; i++) column.read(i, this.nodes[i]!.labels, key);
      this.labels.set(key, column);
    }
    return column;
  }

  domains(topologyKey: string): LabelColumn {
    if (topologyKey !== TOPOLOGY_NODE) return this.label(topologyKey);
    if (this.identity === undefined) {
      this.identity = new Column(new Int32Array(this.nodes.length));
      for (let i = 0; i < this.nodes.length; i++)
        this.identity.codes[i] = this.identity.intern(this.nodes[i]!.id);
    }
    return this.identity;
  }

  members(nodeIds: ReadonlySet<string>): Uint8Array {
    let mask = this.masks.get(nodeIds);
    if (mask === undefined) {
      mask = new Uint8Array(this.nodes.length);
      for (const id of nodeIds) {
        const row = this.rows.get(id);
        if (row !== undefined) mask[row] = 1;
      }
      this.masks.set(nodeIds, mask);
    }
    return mask;
  }

  /** refresh re-reads a row from its node after the node changed (entity, overcommit or allocation). */
  refresh(row: number): void {
    this.read(row);
    this.written(row);
  }

  /** refreshAllocation re-reads only a row's allocation, after a VM came, went or moved. */
  refreshAllocation(row: number): void {
    const node = this.nodes[row]!;
    this.allocatedVcpus[row] = node.allocated.vcpus;
    this.allocatedMemoryMib[row] = node.allocated.memoryMib;
    this.written(row);
  }

  private written(row: number): void {
    this.revision++;
    if (this.journaled === this.journal.length) {
      if (this.journal.length < JOURNAL_LIMIT) {
        const grown = new Int32Array(this.journal.length * 2);
        grown.set(this.journal);
        this.journal = grown;
      } else {
        // Forget the oldest writes: a reader that far behind recomputes every row.
        this.forgotten = this.revision - 1;
        this.journaled = 0;
      }
    }
    this.journal[this.journaled++] = row;
  }

  private read(row: number): void {
    const node = this.nodes[row]!;
    this.capacityVcpus[row] = node.capacity.vcpus;
    this.capacityMemoryMib[row] = node.capacity.memoryMib;
    this.allocatedVcpus[row] = node.allocated.vcpus;
    this.allocatedMemoryMib[row] = node.allocated.memoryMib;
    this.flags[row] = flagsOf(node);
    for (const [key, column] of this.labels) column.read(row, node.labels, key);
  }
}
