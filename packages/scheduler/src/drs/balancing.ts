import type { RecommendationPriority } from "@limiquantix/domain";
import type { DrsResult } from "./drs-types";
import { type Candidate, CandidateSearch, HostRanking } from "./greedy-step";
import { SIGNIFICANT_BENEFIT, type ThresholdPolicy } from "./migration-threshold";
import type { PassState } from "./pass-state";

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
  const search = new CandidateSearch(pass);
  for (;;) {
    if (model.imbalance() <= limit && model.overloadedCount() === 0) return "balanced";
    limit = policy.target;
    if (pass.moves - start >= maxMoves) return "move-cap";
    ranking.update();
    const chosen = search.firstValid(ranking);
    if (chosen === undefined) return "no-improving-move";
    if (chosen.benefit < policy.minBenefit) return "threshold";
    const { priority, reason } = describe(pass, chosen);
    pass.commit(chosen.vm, chosen.t, priority, reason);
  }
}
