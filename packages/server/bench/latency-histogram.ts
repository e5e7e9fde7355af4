// A fixed-resolution latency histogram for the watch bench: millions of samples (one per watcher
// per write) in under a megabyte, with quantiles to 0.1 ms (10 ms beyond 10 s) and the exact maximum.

/** LatencySummary is what a histogram reports: how many samples and their quantiles, in ms. */
export interface LatencySummary {
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

// 0.1 ms buckets up to 10 s, then 10 ms buckets up to 1,000 s; slower samples land in the last
// bucket (the maximum stays exact).
const FINE_MS = 0.1;
const FINE_BUCKETS = 100_000;
const COARSE_MS = 10;
const BUCKETS = FINE_BUCKETS + 99_000;
const FINE_LIMIT_MS = FINE_MS * FINE_BUCKETS;

const bucketOf = (ms: number) =>
  ms < FINE_LIMIT_MS
    ? Math.floor(ms / FINE_MS)
    : Math.min(BUCKETS - 1, FINE_BUCKETS + Math.floor((ms - FINE_LIMIT_MS) / COARSE_MS));
const upperEdgeOf = (i: number) =>
  i < FINE_BUCKETS ? (i + 1) * FINE_MS : FINE_LIMIT_MS + (i - FINE_BUCKETS + 1) * COARSE_MS;

/** LatencyHistogram counts latencies to 0.1 ms up to 10 s and to 10 ms beyond. */
export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS);
  private n = 0;
  private sum = 0;
  private max = 0;

  /** record adds one latency in ms (a negative one, from clocks of two processes, counts as 0). */
  record(ms: number): void {
    const v = ms > 0 ? ms : 0;
    this.counts[bucketOf(v)]!++;
    this.n++;
    this.sum += v;
    if (v > this.max) this.max = v;
  }

  /** add merges another histogram's samples into this one. */
  add(other: LatencyHistogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i] = this.counts[i]! + other.counts[i]!;
    this.n += other.n;
    this.sum += other.sum;
    if (other.max > this.max) this.max = other.max;
  }

  /** summary gives the count, p50, p99, max and mean (quantiles are the upper edge of their bucket). */
  summary(): LatencySummary {
    const r = (x: number) => Math.round(x * 100) / 100;
    return {
      count: this.n,
      p50Ms: r(this.quantile(0.5)),
      p99Ms: r(this.quantile(0.99)),
      maxMs: r(this.max),
      meanMs: this.n > 0 ? r(this.sum / this.n) : 0,
    };
  }

  private quantile(q: number): number {
    if (this.n === 0) return 0;
    const rank = Math.ceil(q * this.n);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(this.max, upperEdgeOf(i));
    }
    return this.max;
  }
}

/** wallMs is the wall clock in ms with sub-ms precision, comparable between processes on one machine. */
export const wallMs = (): number => performance.timeOrigin + performance.now();
