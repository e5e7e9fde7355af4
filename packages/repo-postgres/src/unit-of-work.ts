import {
  type Clock,
  currentCallAttribution,
  failedPrecondition,
  internal,
  invalidArgument,
  isDomainError,
  type ReadHint,
  type Repositories,
  type UnitOfWork,
  type UnitOfWorkOptions,
} from "@limiquantix/domain";
import { CommitGroup, GroupFailure, type WorkOutcome } from "./commit-group";
import { classifyDbError } from "./errors/classify-db-error";
import { createRepositories } from "./repositories/create-repositories";
import { heldReads } from "./repositories/held-reads";
import { escapeLiteral } from "./sql/pg-database";
import type { RepoContext } from "./repositories/repo-context";
import {
  type Carry,
  RolledBackAtCommit,
  type SqlDatabase,
  type SqlExecutor,
  type TransactionOptions,
} from "./sql/executor";

const WRITE_LOCKED: TransactionOptions = { writeLock: true };
/** How many waiting units of work share a transaction by default. */
const DEFAULT_MAX_GROUP = 32;

type Work = (tx: Repositories, carry?: Carry) => Promise<unknown>;
type HeldRows = NonNullable<RepoContext["held"]>;

/** SqlUnitOfWorkOptions tune how units of work share transactions. */
export interface SqlUnitOfWorkOptions {
  /**
   * Most units of work that wait for the running one and then share one transaction (group
   * commit, see CommitGroup): default 32; 1 runs each alone.
   */
  readonly maxGroup?: number;
}

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
  private readonly group: CommitGroup<Repositories> | undefined;

  constructor(
    private readonly db: SqlDatabase,
    private readonly clock: Clock,
    options: SqlUnitOfWorkOptions = {},
  ) {
    const maxGroup = options.maxGroup ?? DEFAULT_MAX_GROUP;
    if (!Number.isInteger(maxGroup) || maxGroup < 1)
      throw invalidArgument([
        { field: "maxGroup", description: `must be a positive integer (got ${String(maxGroup)})` },
      ]);
    // On PGlite, code inside a transaction joins it through the context it runs in (see
    // pglite-database.ts): a grouped work, run in its caller's context, is carried into it.
    this.group =
      maxGroup > 1
        ? new CommitGroup<Repositories>(
            (works, reads) => this.transact(works, reads),
            (work, reads) => this.alone(work, reads),
            maxGroup,
          )
        : undefined;
  }

  async run<R>(work: (tx: Repositories) => Promise<R>, options?: UnitOfWorkOptions): Promise<R> {
    const nested = this.db.inTransaction?.() === true;
    const reads = options?.reads ?? [];
    const outcome =
      this.group && !nested ? await this.group.submit(work, reads) : await this.alone(work, reads);
    // Committed, and with the changes the call's audit entry (unless this work runs inside another's transaction).
    if (outcome.changed && !nested) currentCallAttribution()?.auditStored?.();
    return outcome.value as R;
  }

  /** alone runs one work in its own transaction: its own errors as it threw them, the transaction's classified. */
  private async alone(work: Work, reads: readonly ReadHint[]): Promise<WorkOutcome<unknown>> {
    try {
      const [outcome] = await this.transact([work], reads);
      return outcome!;
    } catch (error) {
      throw error instanceof GroupFailure ? error.reported : error;
    }
  }

  /**
   * transact runs works one after another in one transaction that holds the write lock from
   * BEGIN, each with repositories of its own; it throws GroupFailure saying whether BEGIN, a
   * work or COMMIT failed.
   */
  private async transact(
    works: readonly Work[],
    reads: readonly ReadHint[],
  ): Promise<WorkOutcome<unknown>[]> {
    const outcomes: WorkOutcome<unknown>[] = [];
    const at: { stage: "begin" | "work" | "commit" } = { stage: "begin" };
    let thrown: { error: unknown } | undefined;
    // The rows read (and locked) in this transaction, shared by its works: a row stays as read
    // until a work writes it through its repositories (which drop it from here), so a project
    // the works of a group all charge is read once.
    const held: HeldRows = new Map();
    try {
      await this.db.transaction(
        async (tx) => {
          at.stage = "work";
          // A grouped work runs in its caller's context: on PGlite it is carried into the transaction.
          const carry = this.db.carry?.();
          for (const work of works) {
            try {
              outcomes.push(await this.runOne(tx, work, held, carry));
            } catch (error) {
              thrown = { error };
              throw error;
            }
          }
          at.stage = "commit";
        },
        this.beginning(reads, held),
      );
      return outcomes;
    } catch (error) {
      if (thrown && thrown.error === error) throw new GroupFailure("work", error);
      // A work went on after one of its statements failed: nothing was stored (and it is the
      // work's defect, so it is an internal error), as when a work throws.
      if (error instanceof RolledBackAtCommit)
        throw new GroupFailure(
          "work",
          internal("the unit of work went on after one of its statements failed; nothing was stored", error),
        );
      const classified = isDomainError(error) ? error : classifyDbError(error, "unit of work");
      // A statement of a work failed (its error reached the work, which rethrew it as is, or
      // classified), BEGIN did (nothing stored), or COMMIT did (the outcome unknown).
      throw new GroupFailure(at.stage, classified);
    }
  }

  /**
   * beginning is how a transaction of works begins: with the write lock and, on PostgreSQL, the
   * rows the works said they read first, read in the same round trip as BEGIN and held as the
   * works' own first reads of them would be (a work alone then makes one round trip fewer).
   */
  private beginning(reads: readonly ReadHint[], held: HeldRows): TransactionOptions {
    if (reads.length === 0 || this.db.dialect !== "postgres") return WRITE_LOCKED;
    const { statements, keys } = heldReads(reads, escapeLiteral);
    if (statements.length === 0) return WRITE_LOCKED;
    return {
      writeLock: true,
      reads: statements,
      onRead: (rows) =>
        rows.forEach((found, i) => {
          if (found[0]) held.set(keys[i]!, found[0]);
        }),
    };
  }

  /** runOne runs one work on the transaction, with repositories that end with it. */
  private async runOne(
    tx: SqlExecutor,
    work: Work,
    held: HeldRows,
    carry: Carry | undefined,
  ): Promise<WorkOutcome<unknown>> {
    let active = true;
    let changed = false;
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
      held,
      committedChange: () => {
        changed = true;
      },
    });
    try {
      return { value: await work(repos, carry), changed };
    } finally {
      active = false;
    }
  }
}
