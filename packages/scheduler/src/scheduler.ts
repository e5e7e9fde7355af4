import type { VirtualMachine } from "@limiquantix/domain";
import { type BatchOptions, type BatchPlacement, placeBatch } from "./batch-placement";
import {
  type ActiveFilter,
  type NodeRejections,
  type Rejection,
  rejectionsOf,
  unplaceableError,
} from "./framework/explain";
import { scanFeasible } from "./framework/feasible-scan";
import { bestOf, weightedTotals } from "./framework/totals";
import { compareIds, feasibleNodesToFind, hash32, tieBreaker } from "./framework/ordering";
import {
  type FilterPlugin,
  type PlacementContext,
  type Plugin,
  type ScorePlugin,
  SKIP,
} from "./framework/plugin";
import { type ProfileConfig, type ResolvedProfile, resolveProfile } from "./framework/profile";
import { PluginRegistry } from "./framework/registry";
import { type Scratch, ScratchPool } from "./framework/scratch";
import type { PlaceOptions, Placement, PlacementCandidate } from "./placement";
import type { ClusterSnapshot } from "./snapshot/cluster-snapshot";
import type { NodeColumns } from "./snapshot/node-columns";
import type { NodeState, SnapshotReader } from "./snapshot/snapshot-types";

/** SchedulerOptions configure a Scheduler: the profile, and extra plugins registered by name. */
export interface SchedulerOptions {
  readonly profile?: ProfileConfig;
  /** Third-party plugins, registered beside the built-ins so the profile can name them. */
  readonly plugins?: readonly Plugin[];
}

interface ActiveScore {
  readonly plugin: ScorePlugin;
  readonly weight: number;
  readonly state: unknown;
}

interface Prepared {
  readonly ctx: PlacementContext;
  readonly filters: readonly ActiveFilter[];
}

/** excludedRows marks the rows of the nodes a request excluded, or is undefined when it excluded none. */
function excludedRows(columns: NodeColumns, excluded: ReadonlySet<string>): Uint8Array | undefined {
  if (excluded.size === 0) return undefined;
  const skip = new Uint8Array(columns.nodes.length);
  for (const id of excluded) {
    const row = columns.indexOf(id);
    if (row >= 0) skip[row] = 1;
  }
  return skip;
}

/**
 * Scheduler places VMs on the nodes of a ClusterSnapshot: filter plugins rule nodes out, score
 * plugins rank the rest, the best wins with a stable tie-break. It does no I/O and the same
 * snapshot and request always give the same answer.
 */
export class Scheduler {
  /** The plugins this scheduler can use, built-ins first. */
  readonly registry: PluginRegistry;
  private readonly profile: ResolvedProfile;
  private readonly ties: (a: string, b: string) => number;
  private readonly scratch = new ScratchPool();
  private readonly hashes = new WeakMap<NodeColumns, Uint32Array>();

  constructor(options: SchedulerOptions = {}) {
    this.registry = new PluginRegistry(options.plugins ?? []);
    this.profile = resolveProfile(options.profile ?? {}, this.registry);
    this.ties = tieBreaker(this.profile.seed);
  }

  /**
   * place chooses a node for a VM. A VM already placed in the snapshot is treated as if it were
   * being moved: its own demand on its current node does not count against it. When no node fits
   * it throws ResourceExhausted whose message summarises the reasons and whose details list them per node.
   */
  place(snapshot: ClusterSnapshot, vm: VirtualMachine, options: PlaceOptions = {}): Placement {
    const { ctx, filters } = this.prepare(snapshot, vm);
    const excluded = new Set(options.excludeNodeIds ?? []);
    const columns = snapshot.columns();
    const nodes = columns.nodes;
    const n = nodes.length;
    const scratch = this.scratch.acquire(n);
    try {
      const rows = scratch.rows;
      const scan = scanFeasible(
        columns,
        filters,
        ctx,
        {
          start: n === 0 ? 0 : hash32(`${this.profile.seed ?? ""}\u0000${vm.id}`) % n,
          want: feasibleNodesToFind(n, this.profile.percentageOfNodesToScore),
          skip: excludedRows(columns, excluded),
        },
        rows,
      );
      const m = scan.feasible;
      if (m === 0) {
        const rejected: NodeRejections[] = nodes.map((node) => ({
          nodeId: node.id,
          nodeName: node.name,
          reasons: rejectionsOf(node, ctx, filters, excluded.has(node.id)),
        }));
        throw unplaceableError(ctx, rejected);
      }
      let listed: NodeState[] | undefined;
      const feasible = (): NodeState[] => {
        if (listed === undefined) {
          listed = new Array<NodeState>(m);
          for (let j = 0; j < m; j++) listed[j] = nodes[rows[j]!]!;
        }
        return listed;
      };
      const scores = this.prepareScores(ctx);
      const table = scores.map((s, k) => this.scoreRows(s, columns, rows, m, ctx, feasible, scratch, k));
      const totals = scratch.totals;
      weightedTotals(
        table,
        scores.map((s) => s.weight),
        m,
        totals,
      );
      const best = bestOf(totals, rows, m, this.rowHashes(columns));
      const chosen = nodes[rows[best]!]!;
      const placement: {
        -readonly [K in keyof Placement]: Placement[K];
      } = {
        vmId: vm.id,
        vmName: vm.name,
        nodeId: chosen.id,
        nodeName: chosen.name,
        score: totals[best]!,
        evaluatedNodes: scan.evaluated,
        feasibleNodes: m,
      };
      if (options.candidates !== undefined && options.candidates > 0)
        placement.candidates = this.rank(feasible(), totals, scores, table, options.candidates);
      if (options.reserve === true) placement.reservation = snapshot.reserve(vm, chosen.id);
      return placement;
    } finally {
      this.scratch.release(scratch);
    }
  }

  /**
   * placeBatch places several VMs in one call, each seeing the capacity and anti-affinity of the
   * ones before it; see BatchOptions for atomicity and reservations.
   */
  placeBatch(
    snapshot: ClusterSnapshot,
    vms: readonly VirtualMachine[],
    options: BatchOptions = {},
  ): BatchPlacement {
    return placeBatch((s, vm, o) => this.place(s, vm, o), snapshot, vms, options);
  }

  /**
   * check runs every filter for a VM on one node and returns all the reasons it cannot go there
   * (empty when it can). The DRS and HA engines use it so no move breaks a placement rule.
   */
  check(snapshot: SnapshotReader, vm: VirtualMachine, nodeId: string): readonly string[] {
    const node = snapshot.node(nodeId);
    if (node === undefined) return [`node ${nodeId} is not in the snapshot`];
    const { ctx, filters } = this.prepare(snapshot, vm);
    return rejectionsOf(node, ctx, filters, false).map((r) => r.reason);
  }

  /**
   * rejections is `check` with each reason typed: the filter that gave it, the kind of rule and
   * whether the rule binds VMs already running on the node (`bindsRunning`), so a caller can tell
   * a broken rule (affinity, a NoExecute taint) from a state that only forbids new placements
   * (cordoned, a NoSchedule taint) whichever plugin, built-in or not, enforces it.
   */
  rejections(snapshot: SnapshotReader, vm: VirtualMachine, nodeId: string): readonly Rejection[] {
    const node = snapshot.node(nodeId);
    if (node === undefined)
      return [
        {
          plugin: "snapshot",
          reason: `node ${nodeId} is not in the snapshot`,
          kind: "node-state",
          bindsRunning: false,
        },
      ];
    const { ctx, filters } = this.prepare(snapshot, vm);
    return rejectionsOf(node, ctx, filters, false);
  }

  /**
   * concerns says whether any filter of the profile, other than those in `ignore`, has something
   * to say about a VM: its `prepare` does not return SKIP (a filter without `prepare` always has).
   * No node is looked at. When it is false, only the ignored filters can turn the VM down.
   */
  concerns(snapshot: SnapshotReader, vm: VirtualMachine, ignore: ReadonlySet<FilterPlugin>): boolean {
    const ctx = this.context(snapshot, vm);
    const skip = SKIP;
    for (const plugin of this.profile.filters) {
      if (ignore.has(plugin)) continue;
      if (plugin.prepare === undefined || plugin.prepare(ctx) !== skip) return true;
    }
    return false;
  }

  private context(snapshot: SnapshotReader, vm: VirtualMachine): PlacementContext {
    return {
      vm,
      demand: { vcpus: vm.spec.cpu.vcpus, memoryMib: vm.spec.memory.sizeMib },
      currentNodeId: snapshot.vm(vm.id)?.nodeId,
      snapshot,
    };
  }

  private prepare(snapshot: SnapshotReader, vm: VirtualMachine): Prepared {
    const ctx = this.context(snapshot, vm);
    const filters: ActiveFilter[] = [];
    for (const plugin of this.profile.filters) {
      const state = plugin.prepare === undefined ? undefined : plugin.prepare(ctx);
      if (state !== SKIP) filters.push({ plugin, state });
    }
    return { ctx, filters };
  }

  private prepareScores(ctx: PlacementContext): ActiveScore[] {
    const out: ActiveScore[] = [];
    for (const { plugin, weight } of this.profile.scores) {
      const state = plugin.prepare === undefined ? undefined : plugin.prepare(ctx);
      if (state !== SKIP) out.push({ plugin, weight, state });
    }
    return out;
  }

  /**
   * scoreRows is one score's column over the feasible rows: by `scoreColumns` into scratch when
   * the plugin has it, else by `score` per node and `normalize`; either way clamped to 0..100.
   */
  private scoreRows(
    s: ActiveScore,
    columns: NodeColumns,
    rows: Int32Array,
    count: number,
    ctx: PlacementContext,
    feasible: () => readonly NodeState[],
    scratch: Scratch,
    k: number,
  ): Float64Array {
    let column: Float64Array;
    if (s.plugin.scoreColumns !== undefined) {
      column = this.scratch.column(scratch, k);
      s.plugin.scoreColumns(columns, rows, count, ctx, s.state, column);
    } else {
      const nodes = feasible();
      column = new Float64Array(count);
      for (let j = 0; j < count; j++) column[j] = s.plugin.score(nodes[j]!, ctx, s.state);
      s.plugin.normalize?.(column, nodes, ctx, s.state);
    }
    return column;
  }

  /** rowHashes is the seeded tie-break hash of every row's node id, computed once per set of nodes; none unseeded. */
  private rowHashes(columns: NodeColumns): Uint32Array | undefined {
    const seed = this.profile.seed;
    if (seed === undefined) return undefined;
    let hashes = this.hashes.get(columns);
    if (hashes === undefined) {
      hashes = new Uint32Array(columns.nodes.length);
      for (let i = 0; i < hashes.length; i++) hashes[i] = hash32(`${seed}\u0000${columns.nodes[i]!.id}`);
      this.hashes.set(columns, hashes);
    }
    return hashes;
  }

  private rank(
    nodes: readonly NodeState[],
    totals: Float64Array,
    scores: readonly ActiveScore[],
    table: readonly Float64Array[],
    limit: number,
  ): PlacementCandidate[] {
    const order = nodes.map((_, j) => j);
    order.sort(
      (a, b) =>
        totals[b]! - totals[a]! ||
        this.ties(nodes[a]!.id, nodes[b]!.id) ||
        compareIds(nodes[a]!.id, nodes[b]!.id),
    );
    return order.slice(0, limit).map((j) => ({
      nodeId: nodes[j]!.id,
      nodeName: nodes[j]!.name,
      score: totals[j]!,
      scores: Object.fromEntries(scores.map((s, k) => [s.plugin.name, table[k]![j]!])),
    }));
  }
}
