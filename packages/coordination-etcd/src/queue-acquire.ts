import { type DomainError, type WaitOptions, isDomainError, unavailable } from "@limiquantix/domain";
import type { Etcd3 } from "etcd3";
import { classifyEtcdError } from "./errors";
import { HeldGrant } from "./held-grant";
import type { LeaseSession } from "./lease-session";
import { enqueue, waitForTurn } from "./recipe";

/** AcquireContext is what acquireInQueue needs from its coordinator. */
export interface AcquireContext {
  readonly client: Etcd3;
  grantSession(): Promise<LeaseSession>;
  isClosed(): boolean;
  readonly onError?: (error: DomainError) => void;
}

/** AcquireRequest names the queue, the value to write and how long the caller waits. */
export interface AcquireRequest {
  /** Queue prefix, ending with "/". */
  readonly prefix: string;
  /** Value of our key: the candidate for an election, empty for a lock (as etcdctl writes). */
  readonly value: string;
  /** What is being done, for error messages, e.g. `lock "vm-1"`. */
  readonly what: string;
  readonly options: WaitOptions;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * acquireInQueue joins a lock or election queue under a fresh lease and waits for its turn.
 * An unreachable etcd fails the call at once; but once queued, losing the lease to an outage
 * only costs our place: it queues again when etcd is back, until the caller's timeout or signal.
 */
export async function acquireInQueue(ctx: AcquireContext, req: AcquireRequest): Promise<HeldGrant> {
  const { prefix, value, what, options } = req;
  const signals: AbortSignal[] = [];
  if (options.signal) signals.push(options.signal);
  if (options.timeoutMs !== undefined) signals.push(AbortSignal.timeout(Math.max(0, options.timeoutMs)));
  const waitSignal = AbortSignal.any(signals);
  if (waitSignal.aborted) throw giveUp(waitSignal.reason, what, options);
  let session = await ctx.grantSession();
  for (let attempt = 0; ; attempt++) {
    const signal = AbortSignal.any([waitSignal, session.signal]);
    try {
      const queued = await enqueue(ctx.client, session, prefix, value);
      if (!queued.owner) await waitForTurn(ctx.client, prefix, queued.createRevision, signal);
      if (signal.aborted) throw signal.reason;
      return new HeldGrant(ctx.client, session, queued.key, queued.createRevision, ctx.onError);
    } catch (err) {
      // After a first outage etcd may still be settling: a retryable failure then queues again too.
      const settling = attempt > 0 && isDomainError(err) && err.isRetryable;
      const requeue = !waitSignal.aborted && !ctx.isClosed() && (lostToOutage(session, err) || settling);
      await session.revoke();
      if (!requeue) throw giveUp(waitSignal.aborted ? waitSignal.reason : err, what, options);
    }
    await sleep(250);
    session = await regrant(ctx, waitSignal, what, options);
  }
}

async function regrant(
  ctx: AcquireContext,
  waitSignal: AbortSignal,
  what: string,
  options: WaitOptions,
): Promise<LeaseSession> {
  for (;;) {
    if (waitSignal.aborted || ctx.isClosed()) throw giveUp(waitSignal.reason ?? "closed", what, options);
    try {
      return await ctx.grantSession();
    } catch (err) {
      if (!isDomainError(err) || !err.isRetryable) throw err;
      await sleep(500);
    }
  }
}

// Our lease was lost to an outage (not released by us, not a bad request): worth queueing again.
function lostToOutage(session: LeaseSession, err: unknown): boolean {
  const reason: unknown = session.signal.reason;
  if (!session.signal.aborted || !isDomainError(reason) || reason.code !== "Unavailable") return false;
  return !isDomainError(err) || err.isRetryable || err === reason;
}

function giveUp(reason: unknown, what: string, options: WaitOptions): DomainError {
  if (reason instanceof DOMException && reason.name === "TimeoutError") {
    return unavailable(`${what} timed out after ${options.timeoutMs} ms; another holder kept it`, {
      retryAfterMs: 1000,
    });
  }
  if (isDomainError(reason)) return reason;
  if (reason instanceof DOMException && reason.name === "AbortError") {
    return unavailable(`${what} was cancelled by its signal before it succeeded`);
  }
  return classifyEtcdError(reason, what);
}
