import {
  type Clock,
  currentCallAttribution,
  failedPrecondition,
  isDomainError,
  type Repositories,
  type UnitOfWork,
} from "@limiquantix/domain";
import { classifyDbError } from "./errors/classify-db-error";
import { createRepositories } from "./repositories/create-repositories";
import type { SqlDatabase, SqlExecutor, TransactionOptions } from "./sql/executor";

const WRITE_LOCKED: TransactionOptions = { writeLock: true };

/**
 * SqlUnitOfWork runs work in one READ COMMITTED transaction in which every get, find and
 * findByName locks the rows it returns (SELECT … FOR UPDATE) until the work ends. Two units of
 * work that read the same node (or pool) before reserving its capacity therefore run one after
 * the other: the second reads what the first wrote, so both cannot pass the same check. Writes
 * still check resourceVersion; a deadlock or serialization failure surfaces as Conflict (retryable).
 * The transaction takes the store's write lock as it begins, before its locking reads (see
 * sql/write-lock.ts): units of work run one at a time, and never deadlock with each other or with
 * a single write.
 */
export class SqlUnitOfWork implements UnitOfWork {
  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: Clock,
  ) {}

  async run<R>(work: (tx: Repositories) => Promise<R>): Promise<R> {
    let active = true;
    // The work's own errors are rethrown as they are; only failures of BEGIN/COMMIT are classified.
    let failure: { error: unknown } | undefined;
    let changed = false;
    try {
      const result = await this.db.transaction(async (tx) => {
        const guarded: SqlExecutor = {
          query: (text, params) => {
            if (!active)
              throw failedPrecondition("this unit of work has ended: use its repositories only inside run()");
            return tx.query(text, params);
          },
          exec: (script) => tx.exec(script),
        };
        const repos = createRepositories({
          db: guarded,
          atomic: (fn) => fn(guarded),
          clock: this.clock,
          lockReads: true,
          held: new Map(),
          committedChange: () => {
            changed = true;
          },
        });
        try {
          return await work(repos);
        } catch (error) {
          failure = { error };
          throw error;
        }
      }, WRITE_LOCKED);
      // Committed, and with the changes the call's audit entry (unless this work runs inside another's transaction).
      if (changed && !this.db.inTransaction?.()) currentCallAttribution()?.auditStored?.();
      return result;
    } catch (error) {
      if (failure && failure.error === error) throw error;
      throw isDomainError(error) ? error : classifyDbError(error, "unit of work");
    } finally {
      active = false;
    }
  }
}
