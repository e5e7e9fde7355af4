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

function hottestAndCoolest(pass: PassState): { sources: number[]; targets: number[] } {
  const { model } = pass;
  const order = Array.from({ length: model.size }, (_, i) => i);
  const heat = order.map((i) => model.heat(i));
  order.sort((a, b) => heat[b]! - heat[a]! || a - b);
  const sources = order.slice(0, SOURCE_HOSTS);
  const targets: number[] = [];
  for (let k = order.length - 1; k >= 0 && targets.length < TARGET_HOSTS; k--) {
    const i = order[k]!;
    const id = model.ids[i]!;
    if (pass.snapshot.node(id)?.schedulable === true && !pass.evacuating.has(id)) targets.push(i);
  }
  return { sources, targets };
}

function candidates(pass: PassState): Candidate[] {
  const { model } = pass;
  const { sources, targets } = hottestAndCoolest(pass);
  const out: Candidate[] = [];
  for (const s of sources)
    for (const vm of pass.snapshot.vmsOn(model.ids[s]!)) {
      if (!movable(vm, pass)) continue;
      for (const t of targets) {
        if (t === s) continue;
        const benefit = model.benefit(vm, s, t);
        if (benefit > 0) out.push({ vm, s, t, benefit });
      }
    }
  // Ties break on ids so the same snapshot always yields the same sequence.
  out.sort(
    (a, b) => b.benefit - a.benefit || (a.vm.id < b.vm.id ? -1 : a.vm.id > b.vm.id ? 1 : 0) || a.t - b.t,
  );
  return out;
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
  for (;;) {
    if (model.imbalance() <= limit && model.overloadedCount() === 0) return "balanced";
    limit = policy.target;
    if (pass.moves - start >= maxMoves) return "move-cap";
    let chosen: Candidate | undefined;
    for (const c of candidates(pass)) {
      if (pass.scheduler.check(pass.snapshot, c.vm.vm, model.ids[c.t]!).length === 0) {
        chosen = c;
        break;
      }
    }
    if (chosen === undefined) return "no-improving-move";
    if (chosen.benefit < policy.minBenefit) return "threshold";
    const { priority, reason } = describe(pass, chosen);
    pass.commit(chosen.vm, chosen.t, priority, reason);
  }
}
