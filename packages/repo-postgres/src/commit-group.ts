import { AsyncResource } from "node:async_hooks";
import { currentCallSignal, ErrorCode, hasErrorCode, type ReadHint, unavailable } from "@limiquantix/domain";
import type { Carry } from "./sql/executor";

/** WorkOutcome is what one unit of work left: its result and whether it changed anything. */
export interface WorkOutcome<R> {
  readonly value: R;
  readonly changed: boolean;
}

/** GroupFailure says where a transaction running works failed, and what their callers are told. */
export class GroupFailure extends Error {
  constructor(
    /**
     * "begin": the transaction could not begin (nothing stored); "work": a work threw or one of
     * its statements failed (rolled back: nothing stored); "commit": COMMIT failed (whether it
     * was stored is unknown).
     */
    readonly stage: "begin" | "work" | "commit",
    /** The error each caller gets: a work's own error as it threw it, else the failure classified. */
    readonly reported: unknown,
  ) {
    super(`a transaction of units of work failed at ${stage}`, { cause: reported });
  }
}

/**
 * Work is one unit of work, given the transaction's repositories and, where the database needs
 * it, how to run code inside the transaction (PGlite: see SqlDatabase.carry).
 */
type Work<T> = (tx: T, carry?: Carry) => Promise<unknown>;
/**
 * GroupRunner runs works in one transaction, one after another, or throws GroupFailure; `reads`
 * are the works' read hints together (see UnitOfWorkOptions).
 */
type GroupRunner<T> = (
  works: readonly Work<T>[],
  reads: readonly ReadHint[],
) => Promise<readonly WorkOutcome<unknown>[]>;
/** AloneRunner runs one work in a transaction of its own, failing exactly as a unit of work does. */
type AloneRunner<T> = (work: Work<T>, reads: readonly ReadHint[]) => Promise<WorkOutcome<unknown>>;

interface Waiting<T> {
  /** The work, run in its caller's context; it does nothing once its caller has left. */
  readonly work: Work<T>;
  /** What the work will read first (its hints). */
  readonly reads: readonly ReadHint[];
  /** Runs the work alone, in its caller's context (so its wait for the write lock is cancelled with its call). */
  readonly alone: () => Promise<WorkOutcome<unknown>>;
  /** The caller's call signal, if it runs as a call. */
  readonly signal: AbortSignal | undefined;
  /** Whether the work has begun in a transaction (from then on, its statements are cancelled with its call). */
  started: boolean;
  /** Whether the caller left (its call cancelled) before its work began: the work will not run. */
  left: boolean;
  readonly settle: (outcome: { value: WorkOutcome<unknown> } | { error: unknown }) => void;
}

/**
 * CommitGroup lets units of work that would wait for one another share a transaction (group
 * commit). Units of work run one at a time (on PostgreSQL each holds the store's write lock from
 * BEGIN; PGlite has one session), so a work that arrives while another runs waits anyway: it
 * waits here instead, and when the running transaction ends, every work that arrived meanwhile (up
 * to `maxGroup`) runs in the next one, each in its own caller's context (its statements carry its
 * call's attribution and are cancelled with its call), with one BEGIN, one COMMIT and one flush of
 * the log for all of them. A work alone runs as it always did, wholly in its caller's context.
 *
 * A group is all or nothing, while each caller must get its own work's outcome: when a work in
 * a group throws (or one of its statements fails), the group is rolled back, nothing of it is
 * stored, and each of its works runs again alone, in arrival order, to its own outcome (works
 * may run again: a unit of work is retried on conflicts already). When COMMIT itself fails the
 * outcome is unknown, as it is for a single work, and every caller in the group gets that error.
 * A caller whose call is cancelled before its work began is answered at once and its work never
 * runs.
 */
export class CommitGroup<T> {
  private readonly waiting: Waiting<T>[] = [];
  private draining = false;
  /** Starts a drain outside any call: a group's BEGIN and COMMIT belong to no one caller. */
  private readonly startDrain: () => void;

  constructor(
    private readonly runGroup: GroupRunner<T>,
    private readonly runAlone: AloneRunner<T>,
    private readonly maxGroup: number,
  ) {
    this.startDrain = AsyncResource.bind(() => {
      void this.drain();
    });
  }

  /** submit runs a work in the next transaction and resolves with its outcome; `reads` are its read hints. */
  submit(work: Work<T>, reads: readonly ReadHint[] = []): Promise<WorkOutcome<unknown>> {
    const signal = currentCallSignal();
    if (signal?.aborted) return Promise.reject(cancelled());
    return new Promise((resolve, reject) => {
      // Run in its caller's context, and inside the transaction it is given (PGlite's joining).
      // One AsyncResource rather than AsyncResource.bind: on Node 20 each bind defines a
      // deprecated property and costs about 13 µs, the resource itself well under one.
      const caller = new AsyncResource("lqx.CommitGroupWork");
      const inCall = (tx: T, carry?: Carry) =>
        caller.runInAsyncScope(() => (carry ? carry(() => work(tx)) : work(tx)));
      const onAbort = () => {
        if (w.started) return;
        w.left = true;
        const at = this.waiting.indexOf(w);
        if (at >= 0) this.waiting.splice(at, 1);
        w.settle({ error: cancelled() });
      };
      let settled = false;
      const w: Waiting<T> = {
        work: (tx, carry) => {
          if (w.left) return Promise.resolve(undefined);
          w.started = true;
          return inCall(tx, carry);
        },
        reads,
        alone: () => caller.runInAsyncScope(() => this.runAlone(w.work, reads)),
        signal,
        started: false,
        left: false,
        settle: (outcome) => {
          if (settled) return;
          settled = true;
          signal?.removeEventListener("abort", onAbort);
          if ("value" in outcome) resolve(outcome.value);
          else reject(outcome.error);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiting.push(w);
      if (!this.draining) this.startDrain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.waiting.length > 0) {
        // Let the calls that have arrived meanwhile reach here first: on PGlite a transaction
        // runs without yielding to I/O, so nothing arrives while one runs and every group would
        // be of one. (A turn of the event loop: microseconds when nothing waits.)
        await new Promise<void>((resolve) => setImmediate(resolve));
        const group = this.waiting.splice(0, this.maxGroup);
        if (group.length === 1) await this.alone(group[0]!);
        else await this.together(group);
      }
    } finally {
      this.draining = false;
    }
  }

  private async alone(w: Waiting<T>): Promise<void> {
    try {
      w.settle({ value: await w.alone() });
    } catch (error) {
      w.settle({ error });
    }
  }

  private async together(group: readonly Waiting<T>[]): Promise<void> {
    let outcomes: readonly WorkOutcome<unknown>[];
    try {
      outcomes = await this.runGroup(
        group.map((w) => w.work),
        group.flatMap((w) => w.reads),
      );
    } catch (error) {
      // The store failed the group as a whole (nothing stored, or COMMIT's outcome unknown):
      // every caller is told so, as a work alone would be.
      if (!(error instanceof GroupFailure) || error.stage !== "work") {
        const reported = error instanceof GroupFailure ? error.reported : error;
        for (const w of group) w.settle({ error: reported });
        return;
      }
      // Nothing of the group was stored: each work runs again alone, to its own outcome, unless
      // the store proves unreachable on the way (a work alone fails Unavailable while its call
      // still runs): the works not yet run are answered with that at once, not one timeout each.
      let down: unknown;
      for (const w of group) {
        w.started = false;
        if (w.left) continue;
        if (down !== undefined) {
          w.settle({ error: down });
          continue;
        }
        try {
          w.settle({ value: await w.alone() });
        } catch (failure) {
          w.settle({ error: failure });
          if (hasErrorCode(failure, ErrorCode.Unavailable) && !w.signal?.aborted) down = failure;
        }
      }
      return;
    }
    group.forEach((w, i) => {
      w.settle({ value: outcomes[i]! });
    });
  }
}

function cancelled(): Error {
  return unavailable("the call was cancelled before its unit of work ran");
}
