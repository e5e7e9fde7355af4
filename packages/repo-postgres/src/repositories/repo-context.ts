import type { Clock } from "@limiquantix/domain";
import type { SqlExecutor } from "../sql/executor";

/** RepoContext is what every repository of one store (or one unit of work) shares. */
export interface RepoContext {
  /** Where statements run: the pool, or the unit of work's transaction. */
  readonly db: SqlExecutor;
  /** atomic runs fn in a transaction: the unit of work's own, or a new one outside a unit of work. */
  readonly atomic: <T>(fn: (tx: SqlExecutor) => Promise<T>) => Promise<T>;
  readonly clock: Clock;
  /** Inside a unit of work, reads lock the rows they return (SELECT … FOR UPDATE) until it ends. */
  readonly lockReads: boolean;
  /**
   * exclusive runs a write so that no unit of work that has begun writing is between its first
   * write and its commit (PGlite, whose units of work replay their calls; absent elsewhere).
   */
  readonly exclusive?: <T>(fn: () => Promise<T>) => Promise<T>;
}
