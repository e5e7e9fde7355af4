import { type DomainError, ErrorCode, isDomainError, unavailable } from "@limiquantix/domain";
import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  CircuitState as PolicyState,
} from "cockatiel";

/** CircuitState is where a breaker stands: CLOSED lets calls through, OPEN fails them fast, HALF_OPEN lets one probe through. */
export type CircuitState = "CLOSED" | "OPEN" | "HALF_OPEN";

/** CircuitBreakerOptions tune when a breaker opens and how long it stays open. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker (default 5). */
  readonly failureThreshold?: number;
  /** How long the breaker stays open before one probe is let through (default 5000 ms). */
  readonly coolDownMs?: number;
}

/** isUnreachable says whether a call failed because the agent could not be reached: only those count against a breaker. */
function isUnreachable(error: unknown): error is DomainError {
  return isDomainError(error) && error.code === ErrorCode.Unavailable && !isCallCancelled(error);
}

/** isCallCancelled says whether an agent call failed only because its caller went away (it says nothing of the agent). */
export function isCallCancelled(error: unknown): boolean {
  return isDomainError(error) && error.details.cancelled === true;
}

/** isCircuitOpenError says whether an error was raised by an open breaker rather than by a call to the agent. */
export function isCircuitOpenError(error: unknown): boolean {
  return isUnreachable(error) && error.details.circuit !== undefined;
}

/** The outcome of one call inside the breaker: a value, or an error the agent answered with. */
type Outcome<T> = { readonly value: T } | { readonly answered: unknown };

/**
 * CircuitBreaker stops calling an agent that keeps failing, so a dead node costs one fast error per
 * call instead of a full deadline, and lets a single probe through after a cool-down to find out
 * whether it has recovered. It is a cockatiel circuit breaker with a consecutive-failure counter.
 */
export class CircuitBreaker {
  private readonly policy: CircuitBreakerPolicy;
  private readonly failures: ConsecutiveBreaker;
  private readonly coolDownMs: number;
  private openedAt = 0;

  constructor(
    readonly name: string,
    options: CircuitBreakerOptions = {},
  ) {
    this.coolDownMs = Math.max(0, options.coolDownMs ?? 5000);
    this.failures = new ConsecutiveBreaker(Math.max(1, options.failureThreshold ?? 5));
    this.policy = circuitBreaker(handleWhen(isUnreachable), {
      halfOpenAfter: this.coolDownMs,
      breaker: this.failures,
    });
    this.policy.onBreak(() => {
      this.openedAt = Date.now();
    });
  }

  /** state is the breaker's state now; an open breaker whose cool-down has passed reads HALF_OPEN. */
  get state(): CircuitState {
    switch (this.policy.state) {
      case PolicyState.Closed:
        return "CLOSED";
      case PolicyState.HalfOpen:
        return "HALF_OPEN";
      default:
        // cockatiel moves to half-open only when the next call arrives; report what that call will meet.
        return Date.now() - this.openedAt >= this.coolDownMs ? "HALF_OPEN" : "OPEN";
    }
  }

  /**
   * execute runs one call to the agent through the breaker. A call that fails with Unavailable counts
   * as a failure; a result, or any other error (the agent answered, so it is alive), as a success.
   * While the breaker is open, or while its one probe is out, it throws Unavailable with
   * `retryAfterMs` and `circuit` in the details, without calling.
   */
  async execute<T>(call: () => Promise<T>): Promise<T> {
    // cockatiel would queue calls behind the probe; a dead node should cost one fast error instead.
    if (this.policy.state === PolicyState.HalfOpen) throw this.openError();
    let outcome: Outcome<T>;
    try {
      outcome = await this.policy.execute(async (): Promise<Outcome<T>> => {
        try {
          return { value: await call() };
        } catch (error) {
          if (isUnreachable(error)) throw error;
          return { answered: error };
        }
      });
    } catch (error) {
      if (error instanceof BrokenCircuitError) throw this.openError();
      throw error;
    }
    if ("answered" in outcome) throw outcome.answered;
    return outcome.value;
  }

  private openError(): DomainError {
    const state = this.state;
    const retryAfterMs = Math.max(0, this.coolDownMs - (Date.now() - this.openedAt));
    return unavailable(
      `circuit to ${this.name} is open after ${this.failures.state} consecutive failures; retry later`,
      { retryAfterMs, circuit: state },
    );
  }
}
