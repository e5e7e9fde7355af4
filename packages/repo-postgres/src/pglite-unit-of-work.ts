import {
  type Clock,
  DomainError,
  ErrorCode,
  failedPrecondition,
  isDomainError,
  isFencedOut,
  type Repositories,
  type UnitOfWork,
} from "@limiquantix/domain";
import { classifyDbError } from "./errors/classify-db-error";
import { createRepositories } from "./repositories/create-repositories";
import type { SqlDatabase, SqlExecutor } from "./sql/executor";
import type { Release, WriteGate } from "./sql/write-gate";

type RepoKey = keyof Repositories;

/** One repository call of a work, as it first ran: what it was, when, and how it ended. */
interface Call {
  readonly repo: RepoKey;
  readonly method: string;
  readonly args: unknown[];
  readonly at: Date;
  outcome?: string;
}

class Rollback extends Error {}

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Trial is how a trial run of the work's calls ended: the last call's answer, and whether the calls wrote a resource. */
interface Trial {
  readonly settled: Settled;
  readonly wrote: boolean;
}

/** tookRevision says whether the transaction has taken a change-log revision, that is, written a resource. */
async function tookRevision(tx: SqlExecutor): Promise<boolean> {
  const res = await tx.query<{ taken: boolean }>(
    "SELECT split_part(current_setting('lqx.revision_cursor', true), ':', 1) = pg_current_xact_id_if_assigned()::text AS taken",
  );
  return res.rows[0]?.taken === true;
}

function outcomeOf(settled: Settled): string {
  if (!settled.ok)
    return `error:${isDomainError(settled.error) ? settled.error.code : String(settled.error)}`;
  return `ok:${JSON.stringify(settled.value, (_k, v) => (v instanceof Map ? [...v] : v))}`;
}

/**
 * PgliteUnitOfWork is the unit of work of PGlite, which has a single session: holding a
 * transaction open across the work's awaits would stall every other caller until the work
 * ends. Instead each repository call of the work runs in a trial transaction that replays the
 * work's earlier calls, answers, and rolls back; nothing is visible outside. When the work
 * returns, every call is replayed in one transaction that commits only if each call ends as it
 * did during the work, so the work acted on what is committed; otherwise the work fails with
 * Conflict (retryable) and nothing is stored. The result is serializable: of two works that
 * read a node and reserve its capacity, the second to commit sees a different node and fails.
 *
 * Every write takes the next change-log revision, so the revisions the work's writes got in its
 * trials must be the ones they get when it commits. From the first trial that writes, the work
 * therefore holds the store's write gate until it commits: the store's other writes (outside
 * units of work, and other works' writes) wait for it, reads do not. Inside the work, write only
 * through the repositories it hands out: a write through the store's own repositories would
 * wait for the work, which waits for it.
 */
export class PgliteUnitOfWork implements UnitOfWork {
  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: Clock,
    private readonly gate?: WriteGate,
  ) {}

  /** replay runs the calls in order on tx; a call that ends differently than it first did is Conflict. */
  private async replay(tx: SqlExecutor, calls: readonly Call[]): Promise<Settled> {
    let now = this.clock.now();
    const repos = createRepositories({
      db: tx,
      atomic: (fn) => fn(tx),
      clock: { now: () => now },
      lockReads: false,
    });
    let last: Settled = { ok: true, value: undefined };
    for (const call of calls) {
      now = call.at;
      const repo = repos[call.repo] as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
      try {
        last = { ok: true, value: await repo[call.method]!(...structuredClone(call.args)) };
      } catch (error) {
        // A write refused by its fence aborted the transaction: the work cannot go on, so it ends here.
        if (!isDomainError(error) || isFencedOut(error)) throw error;
        last = { ok: false, error };
      }
      const outcome = outcomeOf(last);
      if (call.outcome !== undefined && call.outcome !== outcome)
        throw new DomainError(
          ErrorCode.Conflict,
          `a concurrent write changed what this unit of work read through ${call.repo}.${call.method}: run the work again`,
          { retryAfterMs: 0 },
        );
      call.outcome = outcome;
    }
    return last;
  }

  /** trial replays the calls in a transaction it rolls back, and tells whether they wrote a resource. */
  private async trial(calls: readonly Call[]): Promise<Trial> {
    let trial: Trial | undefined;
    try {
      await this.db.transaction(async (tx) => {
        const settled = await this.replay(tx, calls);
        trial = { settled, wrote: await tookRevision(tx) };
        throw new Rollback();
      });
    } catch (error) {
      if (!(error instanceof Rollback)) throw error;
    }
    if (!trial) throw new Error("unreachable: the trial transaction ended without an answer");
    return trial;
  }

  async run<R>(work: (tx: Repositories) => Promise<R>): Promise<R> {
    const calls: Call[] = [];
    let active = true;
    let queue: Promise<unknown> = Promise.resolve();
    let release: Release | undefined;
    const invoke = (repo: RepoKey, method: string, args: unknown[]): Promise<unknown> => {
      if (!active)
        return Promise.reject(
          failedPrecondition("this unit of work has ended: use its repositories only inside run()"),
        );
      const next = queue.then(async () => {
        const call: Call = { repo, method, args: structuredClone(args), at: this.clock.now() };
        calls.push(call);
        let trial: Trial;
        try {
          trial = await this.trial(calls);
          if (trial.wrote && !release && this.gate) {
            // The first write: take the gate, then run the trial again so its revisions hold until commit.
            release = await this.gate.acquire();
            call.outcome = undefined;
            trial = await this.trial(calls);
          }
        } catch (error) {
          calls.pop();
          throw isDomainError(error) ? error : classifyDbError(error, "unit of work");
        }
        const { settled } = trial;
        if (!settled.ok) throw settled.error;
        return settled.value;
      });
      queue = next.catch(() => {});
      return next;
    };
    const shape = createRepositories({
      db: this.db,
      atomic: (fn) => fn(this.db),
      clock: this.clock,
      lockReads: false,
    });
    const repos = Object.fromEntries(
      (Object.keys(shape) as RepoKey[]).map((key) => [
        key,
        new Proxy(shape[key] as object, {
          get: (target, prop, receiver) => {
            const value = Reflect.get(target, prop, receiver);
            if (typeof value !== "function" || typeof prop !== "string") return value;
            return (...args: unknown[]) => invoke(key, prop, args);
          },
        }),
      ]),
    ) as unknown as Repositories;
    try {
      const result = await work(repos);
      await queue;
      if (calls.length > 0) {
        try {
          await this.db.transaction(async (tx) => {
            await this.replay(tx, calls);
          });
        } catch (error) {
          throw isDomainError(error) ? error : classifyDbError(error, "unit of work commit");
        }
      }
      return result;
    } finally {
      active = false;
      // A call the work left running may still take the gate: let it finish, then give the gate back.
      await queue;
      release?.();
    }
  }
}
