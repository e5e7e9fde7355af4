import {
  type Clock,
  DomainError,
  ErrorCode,
  failedPrecondition,
  isDomainError,
  type Repositories,
  type UnitOfWork,
} from "@limiquantix/domain";
import { classifyDbError } from "./errors/classify-db-error";
import { createRepositories } from "./repositories/create-repositories";
import type { SqlDatabase, SqlExecutor } from "./sql/executor";

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

function outcomeOf(settled: Settled): string {
  if (!settled.ok) return `error:${isDomainError(settled.error) ? settled.error.code : String(settled.error)}`;
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
 */
export class PgliteUnitOfWork implements UnitOfWork {
  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: Clock,
  ) {}

  /** replay runs the calls in order on tx; a call that ends differently than it first did is Conflict. */
  private async replay(tx: SqlExecutor, calls: readonly Call[]): Promise<Settled> {
    let now = this.clock.now();
    const repos = createRepositories({ db: tx, atomic: (fn) => fn(tx), clock: { now: () => now }, lockReads: false });
    let last: Settled = { ok: true, value: undefined };
    for (const call of calls) {
      now = call.at;
      const repo = repos[call.repo] as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
      try {
        last = { ok: true, value: await repo[call.method]!(...structuredClone(call.args)) };
      } catch (error) {
        if (!isDomainError(error)) throw error;
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

  async run<R>(work: (tx: Repositories) => Promise<R>): Promise<R> {
    const calls: Call[] = [];
    let active = true;
    let queue: Promise<unknown> = Promise.resolve();
    const invoke = (repo: RepoKey, method: string, args: unknown[]): Promise<unknown> => {
      if (!active)
        return Promise.reject(failedPrecondition("this unit of work has ended: use its repositories only inside run()"));
      const next = queue.then(async () => {
        calls.push({ repo, method, args: structuredClone(args), at: this.clock.now() });
        let settled: Settled | undefined;
        try {
          await this.db.transaction(async (tx) => {
            settled = await this.replay(tx, calls);
            throw new Rollback();
          });
        } catch (error) {
          if (!(error instanceof Rollback)) {
            calls.pop();
            throw isDomainError(error) ? error : classifyDbError(error, "unit of work");
          }
        }
        if (!settled) throw new Error("unreachable: the trial transaction ended without an answer");
        if (!settled.ok) throw settled.error;
        return settled.value;
      });
      queue = next.catch(() => {});
      return next;
    };
    const shape = createRepositories({ db: this.db, atomic: (fn) => fn(this.db), clock: this.clock, lockReads: false });
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
    }
  }
}
