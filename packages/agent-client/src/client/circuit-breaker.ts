import { unavailable } from "@limiquantix/domain";

/** CircuitState is where a breaker stands: CLOSED lets calls through, OPEN fails them fast, HALF_OPEN lets one probe through. */
export type CircuitState = "CLOSED" | "OPEN" | "HALF_OPEN";

/** CircuitBreakerOptions tune when a breaker opens and how long it stays open. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker (default 5). */
  readonly failureThreshold?: number;
  /** How long the breaker stays open before one probe is let through (default 5000 ms). */
  readonly coolDownMs?: number;
  /** Clock in milliseconds; tests pass their own. */
  readonly now?: () => number;
}

/**
 * CircuitBreaker stops calling an agent that keeps failing, so a dead node costs one fast error per
 * call instead of a full deadline, and lets a single probe through after a cool-down to find out
 * whether it has recovered.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private probing = false;
  private current: CircuitState = "CLOSED";
  private readonly threshold: number;
  private readonly coolDownMs: number;
  private readonly now: () => number;

  constructor(
    readonly name: string,
    options: CircuitBreakerOptions = {},
  ) {
    this.threshold = Math.max(1, options.failureThreshold ?? 5);
    this.coolDownMs = Math.max(0, options.coolDownMs ?? 5000);
    this.now = options.now ?? Date.now;
  }

  /** state is the breaker's state now; an open breaker whose cool-down has passed reads HALF_OPEN. */
  get state(): CircuitState {
    if (this.current === "OPEN" && this.now() - this.openedAt >= this.coolDownMs) return "HALF_OPEN";
    return this.current;
  }

  /** acquire admits a call or throws Unavailable when the breaker is open (or a probe is already out). */
  acquire(): void {
    const state = this.state;
    if (state === "CLOSED") return;
    if (state === "HALF_OPEN" && !this.probing) {
      this.probing = true;
      this.current = "HALF_OPEN";
      return;
    }
    const retryAfterMs = Math.max(0, this.coolDownMs - (this.now() - this.openedAt));
    throw unavailable(
      `circuit to ${this.name} is open after ${this.failures} consecutive failures; retry later`,
      {
        retryAfterMs,
        circuit: state,
      },
    );
  }

  /** succeed records a successful call: the breaker closes and the failure count resets. */
  succeed(): void {
    this.failures = 0;
    this.probing = false;
    this.current = "CLOSED";
  }

  /** fail records a failed call; enough of them in a row, or a failed probe, open the breaker. */
  fail(): void {
    this.failures += 1;
    if (this.probing || this.failures >= this.threshold) {
      this.current = "OPEN";
      this.openedAt = this.now();
    }
    this.probing = false;
  }
}
