import { Code, ConnectError } from "@connectrpc/connect";
import { DomainError, type ErrorCode } from "@limiquantix/domain";
import { domainErrorToConnect } from "../client/error-mapping";
import { sleep } from "../client/retry-policy";

/** InjectedError makes calls fail with a domain code, optionally only some methods and only a number of times. */
export interface InjectedError {
  readonly code: ErrorCode;
  readonly message?: string;
  /** Method names such as `StartVM`; absent means every method. */
  readonly methods?: readonly string[];
  /** How many calls fail before the fault clears itself; absent means until cleared. */
  readonly times?: number;
}

/**
 * SimFaults injects failures into a simulated agent: added latency, errors, and a partition during
 * which calls hang (as if packets were dropped) until healed or until the caller gives up.
 */
export class SimFaults {
  private latency = 0;
  private error: { spec: InjectedError; left: number } | undefined;
  private partitioned = false;
  private healers: (() => void)[] = [];

  /** setLatency delays every call by ms milliseconds (0 removes the delay). */
  setLatency(ms: number): void {
    this.latency = Math.max(0, ms);
  }

  /** injectError makes matching calls fail until cleared or until `times` calls have failed. */
  injectError(spec: InjectedError): void {
    this.error = { spec, left: spec.times ?? Number.POSITIVE_INFINITY };
  }

  /** partition makes every call hang until heal() is called. */
  partition(): void {
    this.partitioned = true;
  }

  /** isPartitioned says whether a partition is in force. */
  get isPartitioned(): boolean {
    return this.partitioned;
  }

  /** heal ends a partition; hanging calls go on. */
  heal(): void {
    this.partitioned = false;
    const waiting = this.healers;
    this.healers = [];
    for (const resolve of waiting) resolve();
  }

  /** clear removes every fault. */
  clear(): void {
    this.latency = 0;
    this.error = undefined;
    this.heal();
  }

  /** before runs ahead of every call: it waits out a partition and the latency, then throws an injected error. */
  async before(method: string, signal: AbortSignal): Promise<void> {
    if (this.partitioned) await this.untilHealed(signal);
    if (this.latency > 0) await sleep(this.latency, signal);
    const injected = this.error;
    if (!injected || (injected.spec.methods && !injected.spec.methods.includes(method))) return;
    injected.left -= 1;
    if (injected.left <= 0) this.error = undefined;
    throw domainErrorToConnect(
      new DomainError(
        injected.spec.code,
        injected.spec.message ?? `injected ${injected.spec.code} fault on ${method}`,
      ),
    );
  }

  private untilHealed(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const onAbort = (): void =>
        reject(new ConnectError("call abandoned during a partition", Code.Canceled));
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort, { once: true });
      this.healers.push(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      });
    });
  }
}
