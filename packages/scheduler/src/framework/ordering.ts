/** hash32 is FNV-1a over a string: a cheap, stable hash for seeded tie-breaking and scan offsets. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * feasibleNodesToFind is how many feasible nodes a scan collects before it stops, following
 * kube-scheduler: every node below 100; otherwise a percentage (adaptive by default: 50% minus
 * one point per 125 nodes, at least 5%), never fewer than 100.
 */
export function feasibleNodesToFind(total: number, percentage: number | undefined): number {
  if (total < 100 || percentage === 100) return total;
  const pct = percentage ?? Math.max(5, 50 - total / 125);
  return Math.min(total, Math.max(100, Math.floor((total * pct) / 100)));
}

/** compareIds orders strings by UTF-16 code units, the same on every machine and locale. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** tieBreaker orders equally scored nodes: by id, or by a hash of the seed and id when seeded. */
export function tieBreaker(seed: string | undefined): (a: string, b: string) => number {
  if (seed === undefined) return compareIds;
  return (a, b) => hash32(`${seed}\u0000${a}`) - hash32(`${seed}\u0000${b}`) || compareIds(a, b);
}
