/**
 * ThresholdPolicy is what a vSphere-style migration threshold (1 conservative … 5 aggressive)
 * means for a pass: whether balancing runs at all, the imbalance that starts it, the imbalance it
 * aims for, and the least benefit a move must bring.
 */
export interface ThresholdPolicy {
  readonly balance: boolean;
  /** Balancing starts only above this imbalance (or when a host is overloaded). */
  readonly tolerance: number;
  /** Once started, balancing goes on down to this imbalance: the gap is the hysteresis. */
  readonly target: number;
  /** A move must lower the objective (n·weighted variance) by at least this much. */
  readonly minBenefit: number;
}

// Every field shrinks as the threshold grows, so a higher threshold runs the same greedy sequence
// for at least as long and never proposes fewer moves.
const POLICIES: readonly ThresholdPolicy[] = [
  {
    balance: false,
    tolerance: Number.POSITIVE_INFINITY,
    target: Number.POSITIVE_INFINITY,
    minBenefit: Number.POSITIVE_INFINITY,
  },
  { balance: true, tolerance: 0.2, target: 0.1, minBenefit: 0.02 },
  { balance: true, tolerance: 0.1, target: 0.05, minBenefit: 0.004 },
  { balance: true, tolerance: 0.05, target: 0.025, minBenefit: 0.0008 },
  { balance: true, tolerance: 0.02, target: 0.01, minBenefit: 1e-9 },
];

/** thresholdPolicy returns the policy of a migration threshold, clamped to 1..5. */
export function thresholdPolicy(threshold: number): ThresholdPolicy {
  const k = Math.min(5, Math.max(1, Math.round(threshold)));
  return POLICIES[k - 1]!;
}

/** SIGNIFICANT_BENEFIT is the benefit from which a balancing move is MEDIUM rather than LOW priority. */
export const SIGNIFICANT_BENEFIT = POLICIES[1]!.minBenefit;
