import type { VirtualMachine } from "@limiquantix/domain";
import { type BatchOptions, type BatchPlacement, placeBatch } from "./batch-placement";
import {
  type ActiveFilter,
  type NodeRejections,
  type Rejection,
  rejectionsOf,
  unplaceableError,
} from "./framework/explain";
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
import type { PlaceOptions, Placement, PlacementCandidate } from "./placement";
import type { ClusterSnapshot } from "./snapshot/cluster-snapshot";
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
    const nodes = snapshot.nodes();
    const n = nodes.length;
    const want = feasibleNodesToFind(n, this.profile.percentageOfNodesToScore);
    const start = n === 0 ? 0 : hash32(`${this.profile.seed ?? ""}\u0000${vm.id}`) % n;
    const feasible: NodeState[] = [];
    let evaluated = 0;
    for (let i = 0; i < n && feasible.length < want; i++) {
      const node = nodes[(start + i) % n]!;
      evaluated++;
      if (excluded.size > 0 && excluded.has(node.id)) continue;
      let pass = true;
      for (const f of filters) {
        if (f.plugin.filter(node, ctx, f.state) !== undefined) {
          pass = false;
          break;
        }
      }
      if (pass) feasible.push(node);
    }
    if (feasible.length === 0) {
      const rejected: NodeRejections[] = nodes.map((node) => ({
        nodeId: node.id,
        nodeName: node.name,
        reasons: rejectionsOf(node, ctx, filters, excluded.has(node.id)),
      }));
      throw unplaceableError(ctx, rejected);
    }
    const scores = this.prepareScores(ctx);
    const table = scores.map((s) => this.scoreAll(s, feasible, ctx));
    const totals = new Float64Array(feasible.length);
    scores.forEach((s, k) => {
      const column = table[k]!;
      for (let j = 0; j < totals.length; j++) totals[j]! += s.weight * column[j]!;
    });
    let best = 0;
    for (let j = 1; j < feasible.length; j++) if (this.better(j, best, totals, feasible)) best = j;
    const chosen = feasible[best]!;
    const placement: {
      -readonly [K in keyof Placement]: Placement[K];
    } = {
      vmId: vm.id,
      vmName: vm.name,
      nodeId: chosen.id,
      nodeName: chosen.name,
      score: totals[best]!,
      evaluatedNodes: evaluated,
      feasibleNodes: feasible.length,
    };
    if (options.candidates !== undefined && options.candidates > 0)
      placement.candidates = this.rank(feasible, totals, scores, table, options.candidates);
    if (options.reserve === true) placement.reservation = snapshot.reserve(vm, chosen.id);
    return placement;
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

  private scoreAll(s: ActiveScore, nodes: readonly NodeState[], ctx: PlacementContext): Float64Array {
    const column = new Float64Array(nodes.length);
    for (let j = 0; j < nodes.length; j++) column[j] = s.plugin.score(nodes[j]!, ctx, s.state);
    s.plugin.normalize?.(column, nodes, ctx, s.state);
    // A plugin that strays outside 0..100 must not outweigh its configured weight.
    for (let j = 0; j < column.length; j++) {
      const v = column[j]!;
      column[j] = Number.isNaN(v) ? 0 : v < 0 ? 0 : v > 100 ? 100 : v;
    }
    return column;
  }

  private better(a: number, b: number, totals: Float64Array, nodes: readonly NodeState[]): boolean {
    const d = totals[a]! - totals[b]!;
    if (d !== 0) return d > 0;
    return this.ties(nodes[a]!.id, nodes[b]!.id) < 0;
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
