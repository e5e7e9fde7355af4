/**
 * normalizeMinMax rescales the first `count` raw scores (all of them by default) in place so the
 * lowest becomes 0 and the highest 100 (all 100 when they are equal).
 */
export function normalizeMinMax(scores: Float64Array, count = scores.length): void {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < count; i++) {
    const s = scores[i]!;
    if (s < min) min = s;
    if (s > max) max = s;
  }
  const span = max - min;
  if (span === 0) scores.fill(100, 0, count);
  else for (let i = 0; i < count; i++) scores[i] = (100 * (scores[i]! - min)) / span;
}
