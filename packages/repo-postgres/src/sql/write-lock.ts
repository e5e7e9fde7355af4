/**
 * The store's write lock: the transaction-level advisory lock the change-log triggers take on a
 * transaction's first change and hold until it ends (migrations/000003_change_log.up.sql), so
 * revisions follow commit order.
 *
 * Every writer must take it before it holds any row lock, or two writers can deadlock: a
 * statement that updates a row locks the row before its triggers run (and locks it exclusively
 * when the statement sets a column of a unique key, such as a name), while a writer already
 * holding the write lock may need that row, even only to check a foreign key to it (an INSERT of
 * a node takes a key-share lock on its cluster). So a writing statement takes it in its own FROM
 * item, before its target row (attributionSource), and a unit of work takes it as it begins,
 * before its locking reads. Units of work therefore run one at a time, as writes to the log
 * already did from their first change; a plain read never waits for it.
 */
export const WRITE_LOCK_KEY = 7315620412;

/** TAKE_WRITE_LOCK is the SQL expression that takes the write lock (re-entrant within a transaction). */
export const TAKE_WRITE_LOCK = `pg_advisory_xact_lock(${WRITE_LOCK_KEY})`;
