import { type DrsRecommendation, ErrorCode, hasErrorCode } from "@limiquantix/domain";
import type { DrsProposal } from "@limiquantix/scheduler";
import type { ServiceDeps } from "../shared/service-deps";
import { settle } from "./recommendation-state";

/** SyncOutcome is what a pass left pending: the recommendations it stands behind, and how many it created and superseded. */
export interface SyncOutcome {
  /** Kept or new, in the engine's order. */
  readonly proposed: DrsRecommendation[];
  readonly created: number;
  readonly superseded: number;
}

const keyOf = (r: Pick<DrsProposal, "type" | "vmId" | "sourceNodeId" | "targetNodeId">) =>
  `${r.type}|${r.vmId ?? ""}|${r.sourceNodeId ?? ""}|${r.targetNodeId ?? ""}`;

/**
 * syncRecommendations brings the stored pending recommendations in line with a pass: a proposal
 * already pending (same move) is kept — its priority, reason and impact refreshed — so passes do
 * not pile up duplicates; every other pending one is SUPERSEDED; new proposals are stored PENDING.
 */
export async function syncRecommendations(
  deps: ServiceDeps,
  pending: readonly DrsRecommendation[],
  proposals: readonly DrsProposal[],
  now: Date,
): Promise<SyncOutcome> {
  const recs = deps.repos.drsRecommendations;
  const byKey = new Map(pending.map((r) => [keyOf(r), r]));
  const proposed: DrsRecommendation[] = [];
  let created = 0;
  for (const p of proposals) {
    const existing = byKey.get(keyOf(p));
    if (existing) {
      byKey.delete(keyOf(p));
      proposed.push(await refresh(deps, existing, p));
      continue;
    }
    proposed.push(await recs.create({ ...p, id: deps.ids.next(), labels: {}, state: "PENDING" }));
    created++;
  }
  let superseded = 0;
  for (const stale of byKey.values()) {
    const done = await settle(recs, stale.id, ["PENDING"], "SUPERSEDED", () => ({
      error: `the pass at ${now.toISOString()} no longer proposes it`,
    }));
    if (done) superseded++;
  }
  return { proposed, created, superseded };
}

/** refresh brings a kept recommendation's priority, reason and impact up to date, writing only when they changed. */
async function refresh(
  deps: ServiceDeps,
  rec: DrsRecommendation,
  p: DrsProposal,
): Promise<DrsRecommendation> {
  const same =
    rec.priority === p.priority &&
    rec.reason === p.reason &&
    rec.impact.imbalanceBefore === p.impact.imbalanceBefore &&
    rec.impact.imbalanceAfter === p.impact.imbalanceAfter;
  if (same) return rec;
  try {
    return await deps.repos.drsRecommendations.update({
      ...rec,
      priority: p.priority,
      reason: p.reason,
      impact: p.impact,
    });
  } catch (e) {
    // Decided meanwhile: what was decided stands.
    if (!hasErrorCode(e, ErrorCode.Conflict)) throw e;
    return (await deps.repos.drsRecommendations.find(rec.id)) ?? rec;
  }
}
