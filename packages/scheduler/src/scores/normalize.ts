/** normalizeMinMax rescales raw scores in place so the lowest becomes 0 and the highest 100 (all 100 when they are equal). */
export function normalizeMinMax(scores: Float64Array): void {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const s of scores) {
    if (s < min) min = s;
    if (s > max) max = s;
  }
  const span = max - min;
  for (let i = 0; i < scores.length; i++) scores[i] = span === 0 ? 100 : (100 * (scores[i]! - min)) / span;
}
