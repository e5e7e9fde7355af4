// Drives a bench's calls: a number of calls spread over concurrent callers, each awaiting its
// call before the next, with the latency percentiles and the process's CPU time per call.
import { performance } from "node:perf_hooks";

/** Phase is what one run of calls measured. */
export interface Phase {
  readonly requests: number;
  readonly concurrency: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  /** The whole process's CPU time per call (µs): client and server share it, as every cell here does. */
  readonly cpuUsPerCall: number;
}

export const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** drive runs `total` calls spread over `concurrency` callers, each awaiting its call before the next. */
export async function drive(
  total: number,
  concurrency: number,
  op: (i: number, caller: number) => Promise<unknown>,
): Promise<Phase> {
  const latencies = new Float64Array(total);
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async (_, caller) => {
      for (let i = next++; i < total; i = next++) {
        const t0 = performance.now();
        await op(i, caller);
        latencies[i] = performance.now() - t0;
      }
    }),
  );
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort();
  const at = (q: number) => latencies[Math.min(total - 1, Math.floor(q * total))]!;
  const sum = latencies.reduce((a, b) => a + b, 0);
  return {
    requests: total,
    concurrency,
    seconds: round(elapsedMs / 1000, 2),
    rps: Math.round((total / elapsedMs) * 1000),
    p50Ms: round(at(0.5)),
    p99Ms: round(at(0.99)),
    meanMs: round(sum / total),
    cpuUsPerCall: round((cpu.user + cpu.system) / total, 1),
  };
}

/** merge sums rounds of one call into one phase (latency percentiles: the rounds' mean, weighted by calls). */
export function merge(rounds: readonly Phase[]): Phase {
  const requests = rounds.reduce((a, p) => a + p.requests, 0);
  const seconds = rounds.reduce((a, p) => a + p.seconds, 0);
  const w = (f: (p: Phase) => number) => round(rounds.reduce((a, p) => a + f(p) * p.requests, 0) / requests);
  return {
    requests,
    concurrency: rounds[0]?.concurrency ?? 0,
    seconds: round(seconds, 2),
    rps: Math.round(requests / seconds),
    p50Ms: w((p) => p.p50Ms),
    p99Ms: w((p) => p.p99Ms),
    meanMs: w((p) => p.meanMs),
    cpuUsPerCall: w((p) => p.cpuUsPerCall),
  };
}
