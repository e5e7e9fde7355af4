import {
  type DrsRecommendation,
  type DrsRecommendationRepository,
  ErrorCode,
  failedPrecondition,
  hasErrorCode,
  RECOMMENDATION_MACHINE,
  type RecommendationState,
  checkTransition,
} from "@limiquantix/domain";

const ERROR_LIMIT = 1024;

/** clip shortens a message to what a recommendation's `error` holds. */
export function clip(message: string): string {
  return message.length > ERROR_LIMIT ? `${message.slice(0, ERROR_LIMIT - 1)}…` : message;
}

/**
 * moveTo returns the recommendation in state `to` with the fields given, or throws
 * FailedPrecondition saying why a recommendation in its state cannot go there.
 */
export function moveTo(
  rec: DrsRecommendation,
  to: RecommendationState,
  fields: Partial<DrsRecommendation> = {},
): DrsRecommendation {
  const check = checkTransition(RECOMMENDATION_MACHINE, rec.state, to);
  if (!check.ok || rec.state === to)
    throw failedPrecondition(
      `recommendation ${rec.id} is ${rec.state}: ${check.ok ? `it is ${to} already` : check.reason}`,
      { resource: { kind: "DrsRecommendation", id: rec.id }, from: rec.state, to },
    );
  return { ...rec, ...fields, state: to };
}

/**
 * settle moves a recommendation to `to` if it is still in one of the states `from` (re-reading it
 * after a lost race); it answers undefined, changing nothing, when the recommendation left them
 * meanwhile or is gone — someone else decided its fate first.
 */
export async function settle(
  repo: DrsRecommendationRepository,
  id: string,
  from: readonly RecommendationState[],
  to: RecommendationState,
  fields: (rec: DrsRecommendation) => Partial<DrsRecommendation> = () => ({}),
): Promise<DrsRecommendation | undefined> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const rec = await repo.find(id);
    if (!rec || !from.includes(rec.state)) return undefined;
    try {
      return await repo.update(moveTo(rec, to, fields(rec)));
    } catch (e) {
      if (!hasErrorCode(e, ErrorCode.Conflict)) throw e;
    }
  }
  return undefined;
}
