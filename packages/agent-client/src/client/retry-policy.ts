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
 * backoffDelay is the wait before retry number `retry` (1-based): exponential, capped, with full
 * jitter so that many clients retrying a recovering agent do not arrive in lockstep.
 */
export function backoffDelay(
  policy: ResolvedRetry,
  retry: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(ceiling / 2 + (random() * ceiling) / 2);
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
