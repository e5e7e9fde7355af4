import { ExponentialBackoff, handleWhen, halfJitterGenerator, type RetryPolicy, retry } from "cockatiel";

/** RetryOptions tune the retries of idempotent agent calls. */
export interface RetryOptions {
  /** Total attempts, the first included (default 3; 1 disables retries). */
  readonly attempts?: number;
  /** Delay before the first retry; each further retry doubles it (default 50 ms). */
  readonly baseDelayMs?: number;
  /** Cap on one delay (default 2000 ms). */
  readonly maxDelayMs?: number;
}

/** ResolvedRetry is RetryOptions with every default filled in. */
export interface ResolvedRetry {
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** resolveRetry fills in the defaults of RetryOptions. */
export function resolveRetry(options: RetryOptions = {}): ResolvedRetry {
  return {
    attempts: Math.max(1, Math.floor(options.attempts ?? 3)),
    baseDelayMs: Math.max(0, options.baseDelayMs ?? 50),
    maxDelayMs: Math.max(0, options.maxDelayMs ?? 2000),
  };
}

/**
 * retryPolicy is the cockatiel policy that retries a call while `shouldRetry` says its error is
 * worth another attempt. The wait before retry n is exponential (baseDelayMs · 2^(n-1), capped at
 * maxDelayMs) with equal jitter: half of it fixed, half random, so that many clients retrying a
 * recovering agent do not arrive in lockstep and none retries at once.
 */
export function retryPolicy(options: ResolvedRetry, shouldRetry: (error: Error) => boolean): RetryPolicy {
  return retry(handleWhen(shouldRetry), {
    maxAttempts: options.attempts - 1,
    backoff: new ExponentialBackoff({
      generator: halfJitterGenerator,
      initialDelay: options.baseDelayMs,
      maxDelay: options.maxDelayMs,
    }),
  });
}

/** sleep waits for a number of milliseconds, or rejects early when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
