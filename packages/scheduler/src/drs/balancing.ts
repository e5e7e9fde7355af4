import type { RecommendationPriority } from "@limiquantix/domain";
import type { VmState } from "../snapshot/snapshot-types";
import type { DrsResult } from "./drs-types";
import { SIGNIFICANT_BENEFIT, type ThresholdPolicy } from "./migration-threshold";
import type { PassState } from "./pass-state";

/** SOURCE_HOSTS and TARGET_HOSTS bound each greedy step to the hottest and coolest hosts, so a step costs O(VMs on a host). */
const SOURCE_HOSTS = 4;
const TARGET_HOSTS = 8;

interface Candidate {
  readonly vm: VmState;
  readonly s: number;
  readonly t: number;
  readonly benefit: number;
}

function movable(vm: VmState, pass: PassState): boolean {
  const st = vm.vm.status;
  return !pass.frozen.has(vm.id) && st.migration === undefined && st.powerState !== "MIGRATING";
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Ties break on ids so the same snapshot always yields the same sequence.
function byBenefit(a: Candidate, b: Candidate): number {
  return b.benefit - a.benefit || compareIds(a.vm.id, b.vm.id) || a.t - b.t;
}

/**
 * Ranks hosts once per step without sorting them all: hosts are ordered by heat, hottest first,
 * ties by index; the first SOURCE_HOSTS are sources, and the last TARGET_HOSTS that may receive
 * VMs (schedulable, not being emptied) are targets, coolest first.
 */
class HostRanking {
  readonly sources: number[] = [];
  readonly targets: number[] = [];
  private readonly heat: Float64Array;
  private readonly receives: Uint8Array;

  constructor(private readonly pass: PassState) {
    const { model } = pass;
    this.heat = new Float64Array(model.size);
    this.receives = new Uint8Array(model.size);
    for (let i = 0; i < model.size; i++) {
      const id = model.ids[i]!;
      if (pass.snapshot.node(id)?.schedulable === true && !pass.evacuating.has(id)) this.receives[i] = 1;
    }
  }

  update(): void {
    const { model } = this.pass;
    const { heat, sources, targets } = this;
    sources.length = 0;
    targets.length = 0;
    for (let i = 0; i < model.size; i++) heat[i] = model.heat(i);
    // Kept sorted as they fill: sources hottest first, targets coolest first (ties to the higher index).
    for (let i = 0; i < model.size; i++) {
      const h = heat[i]!;
      if (sources.length < SOURCE_HOSTS || h > heat[sources[sources.length - 1]!]!) {
        let k = sources.length;
        while (k > 0 && h > heat[sources[k - 1]!]!) k--;
        sources.splice(k, 0, i);
        if (sources.length > SOURCE_HOSTS) sources.length = SOURCE_HOSTS;
      }
      if (this.receives[i] !== 1) continue;
      if (targets.length < TARGET_HOSTS || h <= heat[targets[targets.length - 1]!]!) {
        let k = targets.length;
        while (k > 0 && h <= heat[targets[k - 1]!]!) k--;
        targets.splice(k, 0, i);
        if (targets.length > TARGET_HOSTS) targets.length = TARGET_HOSTS;
      }
    }
  }
}

/** Candidate moves of one step, in parallel arrays reused across steps so a step allocates little. */
class CandidateSet {
  private readonly vms: VmState[] = [];
  private readonly sources: number[] = [];
  private readonly targets: number[] = [];
  private readonly benefits: number[] = [];

  constructor(private readonly pass: PassState) {}

  /** collect gathers every move of a VM of a source host to a target host that lowers the objective. */
  collect(ranking: HostRanking): void {
    const { model } = this.pass;
    this.vms.length = 0;
    this.sources.length = 0;
    this.targets.length = 0;
    this.benefits.length = 0;
    for (const s of ranking.sources)
      for (const vm of this.pass.snapshot.vmsOn(model.ids[s]!)) {
        if (!movable(vm, this.pass)) continue;
        for (const t of ranking.targets) {
          if (t === s) continue;
          const benefit = model.benefit(vm, s, t);
          if (benefit > 0) {
            this.vms.push(vm);
            this.sources.push(s);
            this.targets.push(t);
            this.benefits.push(benefit);
          }
        }
      }
  }

  /**
   * firstValid is the best candidate (by benefit, then VM id, then target) whose move passes every
   * filter. The best usually does, so it is found by one scan; only when it fails are the rest sorted.
   */
  firstValid(): Candidate | undefined {
    const n = this.benefits.length;
    if (n === 0) return undefined;
    let best = this.at(0);
    for (let j = 1; j < n; j++) {
      const b = this.benefits[j]!;
      if (b < best.benefit) continue;
      const c = this.at(j);
      if (byBenefit(c, best) < 0) best = c;
    }
    if (this.valid(best)) return best;
    const all = Array.from({ length: n }, (_, j) => this.at(j)).sort(byBenefit);
    for (let j = 1; j < n; j++) if (this.valid(all[j]!)) return all[j];
    return undefined;
  }

  private at(j: number): Candidate {
    return { vm: this.vms[j]!, s: this.sources[j]!, t: this.targets[j]!, benefit: this.benefits[j]! };
  }

  private valid(c: Candidate): boolean {
    const { pass } = this;
    return pass.scheduler.check(pass.snapshot, c.vm.vm, pass.model.ids[c.t]!).length === 0;
  }
}

function describe(pass: PassState, c: Candidate): { priority: RecommendationPriority; reason: string } {
  const { model } = pass;
  const src = model.load(c.s);
  const from = pass.nameOf(src.nodeId);
  const to = pass.nameOf(model.ids[c.t]!);
  const after = model.imbalanceAfter(c.vm, c.s, c.t);
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  if (src.overloaded)
    return {
      priority: "HIGH",
      reason: `node "${from}" is overloaded (cpu ${pct(src.cpu)} of ${pct(model.thresholds.cpu)}, memory ${pct(src.memory)} of ${pct(model.thresholds.memory)}): move vm "${c.vm.name}" to "${to}"`,
    };
  return {
    priority: c.benefit >= SIGNIFICANT_BENEFIT ? "MEDIUM" : "LOW",
    reason: `move vm "${c.vm.name}" from "${from}" to "${to}" to lower imbalance from ${model.imbalance().toFixed(4)} to ${after.toFixed(4)}`,
  };
}

/**
 * balance moves VMs greedily, each step taking the valid move that lowers the objective most,
 * until the cluster is within the threshold's target, no move brings enough, or the cap is hit.
 * Balancing starts only above the threshold's tolerance (or with an overloaded host).
 */
export function balance(pass: PassState, policy: ThresholdPolicy, maxMoves: number): DrsResult["stoppedBy"] {
  const { model } = pass;
  let limit = policy.tolerance;
  // The cap counts balancing moves only: mandatory moves are always proposed.
  const start = pass.moves;
  const ranking = new HostRanking(pass);
  const found = new CandidateSet(pass);
  for (;;) {
    if (model.imbalance() <= limit && model.overloadedCount() === 0) return "balanced";
    limit = policy.target;
    if (pass.moves - start >= maxMoves) return "move-cap";
    ranking.update();
    found.collect(ranking);
    const chosen = found.firstValid();
    if (chosen === undefined) return "no-improving-move";
    if (chosen.benefit < policy.minBenefit) return "threshold";
    const { priority, reason } = describe(pass, chosen);
    pass.commit(chosen.vm, chosen.t, priority, reason);
  }
}
