import type { Clock } from "@limiquantix/domain";
import type { SqlExecutor, SqlRow } from "../sql/executor";

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
   * The rows a unit of work has read or written by id, locked until it ends, by table and id:
   * reading one again returns the row as read or written (no other transaction can change it
   * meanwhile). Absent outside units of work.
   */
  readonly held?: Map<string, SqlRow | WrittenRow>;
  /**
   * committedChange is called by a write that logged a change once it is done: outside a unit of
   * work the change is committed then (and with it the call's audit entry); a unit of work notes
   * it and tells the call once it commits.
   */
  readonly committedChange?: () => void;
}

/** WrittenRow is a row a unit of work wrote, held as the resource it stored (its version included). */
export class WrittenRow {
  constructor(readonly resource: unknown) {}
}
