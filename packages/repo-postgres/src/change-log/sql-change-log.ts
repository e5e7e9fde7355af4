import {
  type ChangeLog,
  type ChangeLogCompaction,
  type ChangeLogEntry,
  type Closeable,
  checkCompaction,
  checkReadLimit,
  checkRevision,
  checkWriteFence,
  invalidArgument,
  isDomainError,
  revisionCompacted,
  type WriteFence,
} from "@limiquantix/domain";
import { classifyDbError } from "../errors/classify-db-error";
import type { SqlDatabase, Unlisten } from "../sql/executor";

/** CHANGE_LOG_CHANNEL is the channel the change-log triggers notify on commit (see migrations/000003_change_log.up.sql). */
export const CHANGE_LOG_CHANNEL = "lqx_change_log";

/** SqlChangeLogOptions tune how `wait` learns of new entries. */
export interface SqlChangeLogOptions {
  /**
   * How often `wait` looks at the log when no notification arrives, in ms (default 2000).
   * Notifications wake it at once; the poll covers one lost while the listening connection was
   * down. Without notifications (the database refused LISTEN) it looks at least every 250 ms.
   */
  readonly pollIntervalMs?: number;
}

const FALLBACK_POLL_MS = 250;
const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/**
 * READ_ENTRIES reads the compaction window and up to $2 entries after revision $1. The window is
 * read through LIMIT 1: the planner cannot tell its table holds one row and, until the table is
 * analysed, guesses thousands — enough for a plan cost past jit_above_cost, which made PostgreSQL
 * compile every read with LLVM (about 10 ms of its CPU each) where jit is on.
 */
export const READ_ENTRIES = `SELECT c.through, e.revision, e.kind, e.resource_id, e.project_id, e.type, e.object, e.request_id, e.principal,
    to_char(e.at AT TIME ZONE 'UTC', ${ISO}) AS at
  FROM (SELECT through FROM change_log_compacted LIMIT 1) c
  LEFT JOIN LATERAL (
    SELECT * FROM change_log l WHERE l.revision > $1::bigint ORDER BY l.revision LIMIT $2::int
  ) e ON true
  ORDER BY e.revision`;

type EntryRow = {
  through: string | number;
  revision: string | number | null;
  kind: string;
  resource_id: string;
  project_id: string | null;
  type: string;
  object: string;
  request_id: string | null;
  principal: string | null;
  at: string;
};

function entryOf(row: EntryRow): ChangeLogEntry {
  return {
    revision: Number(row.revision),
    kind: row.kind,
    id: row.resource_id,
    ...(row.project_id === null ? {} : { projectId: row.project_id }),
    type: row.type,
    object: JSON.parse(row.object) as unknown,
    ...(row.request_id === null ? {} : { requestId: row.request_id }),
    ...(row.principal === null ? {} : { principal: row.principal }),
    at: row.at,
  } as ChangeLogEntry;
}

/** LOOK_AHEAD is how many entries `wait` reads when it looks at the log (a relay's batch). */
const LOOK_AHEAD = 500;

/** Looked is what one read of the log returned, and the notifications heard before it was sent. */
interface Looked {
  readonly after: number;
  readonly limit: number;
  readonly entries: readonly ChangeLogEntry[];
  readonly heard: number | undefined;
}

/**
 * SqlChangeLog reads the change log the resource tables' triggers write (on PostgreSQL and on
 * PGlite alike). `wait` listens on the triggers' channel, so a commit wakes it at once, and
 * looks at the log every pollIntervalMs as well. Compaction deletes the oldest entries and
 * records the highest revision it removed; reads below it fail with revision-compacted.
 */
export class SqlChangeLog implements ChangeLog, Closeable {
  private readonly pollIntervalMs: number;
  private readonly sleepers = new Set<() => void>();
  private listening: Promise<boolean> | undefined;
  private unlisten: Unlisten | undefined;
  private closed = false;
  /** How many notifications have arrived. */
  private heard = 0;
  /**
   * What the last read that reached the log's end learned: nothing follows `after` as of a
   * snapshot taken after `heard` notifications had arrived (see `wait`).
   */
  private quiet: { readonly after: number; readonly heard: number } | undefined;
  /**
   * What `wait` read when it looked at the log and found entries: the next `read` from the same
   * revision returns them instead of reading again (a follower's wake-up then costs one
   * statement, not a look and a read).
   */
  private ahead: Looked | undefined;

  constructor(
    private readonly db: SqlDatabase,
    options: SqlChangeLogOptions = {},
  ) {
    const poll = options.pollIntervalMs ?? 2000;
    if (!Number.isInteger(poll) || poll < 1)
      throw invalidArgument([
        { field: "pollIntervalMs", description: `must be a positive integer (got ${poll})` },
      ]);
    this.pollIntervalMs = poll;
  }

  async head(): Promise<number> {
    const res = await this.guard("read the change log head", () =>
      this.db.query<{ revision: string | number }>("SELECT lqx_head() AS revision"),
    );
    return Number(res.rows[0]?.revision ?? 0);
  }

  async oldest(): Promise<number> {
    const res = await this.guard("read the change log window", () =>
      this.db.query<{ through: string | number }>("SELECT through FROM change_log_compacted"),
    );
    return Number(res.rows[0]?.through ?? 0);
  }

  async read(afterRevision: number, limit: number): Promise<readonly ChangeLogEntry[]> {
    checkRevision(afterRevision);
    checkReadLimit(limit);
    const ahead = this.ahead;
    this.ahead = undefined;
    // What the wait read serves this read when it holds `limit` entries, or all there were then:
    // never fewer than asked for while more followed.
    const looked =
      ahead?.after === afterRevision && (ahead.entries.length >= limit || ahead.entries.length < ahead.limit)
        ? ahead
        : await this.look(afterRevision, limit);
    const entries = looked.entries.length > limit ? looked.entries.slice(0, limit) : looked.entries;
    // Fewer than asked for, from a statement that reached the log's end as of its snapshot.
    if (looked.heard !== undefined && entries.length < limit && looked.entries.length < looked.limit)
      this.quiet = { after: entries.at(-1)?.revision ?? afterRevision, heard: looked.heard };
    return entries;
  }

  /**
   * look reads up to `limit` entries after a revision, failing when compaction removed some of
   * them, with the notifications heard before the statement was sent.
   */
  private async look(afterRevision: number, limit: number): Promise<Looked> {
    // Counted before the statement is sent: a commit the read does not see notifies after this.
    // (Only while notifications arrive: `unlisten` is set from a successful LISTEN until close.)
    const heard = this.unlisten !== undefined ? this.heard : undefined;
    // One statement, so the window and the entries come from one snapshot.
    const res = await this.guard("read the change log", () =>
      this.db.query<EntryRow>(READ_ENTRIES, [afterRevision, limit]),
    );
    const through = Number(res.rows[0]?.through ?? 0);
    if (afterRevision < through) throw revisionCompacted(afterRevision, through);
    const entries = res.rows.filter((row) => row.revision !== null).map(entryOf);
    return { after: afterRevision, limit, entries, heard };
  }

  async wait(afterRevision: number, signal?: AbortSignal): Promise<number> {
    checkRevision(afterRevision);
    if (signal?.aborted) throw signal.reason;
    const notified = await this.listen();
    // A read that just reached the log's end at this revision, with no notification since it
    // was sent, has looked already: sleep at once rather than ask the log again (a follower's
    // read and wait then cost one statement per change instead of two). A commit it did not see
    // notifies after it was sent, so it either shows in `heard` now or wakes the sleep.
    let looked = notified && this.quiet?.after === afterRevision && this.quiet.heard === this.heard;
    this.quiet = undefined;
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      // Register before looking, so a commit between the look and the sleep still wakes us.
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => {
        wake = resolve;
      });
      this.sleepers.add(wake);
      let timer: ReturnType<typeof setTimeout> | undefined;
      signal?.addEventListener("abort", wake, { once: true });
      try {
        if (!looked) {
          // Look by reading: what it finds is kept for the read that follows a wait.
          const ahead = await this.look(afterRevision, LOOK_AHEAD);
          const last = ahead.entries.at(-1)?.revision;
          if (last !== undefined) {
            this.ahead = ahead;
            // Fewer than asked for: the last is the head as of the read; else ask for the head.
            return ahead.entries.length < LOOK_AHEAD ? last : Math.max(last, await this.head());
          }
        }
        looked = false;
        const interval = notified ? this.pollIntervalMs : Math.min(this.pollIntervalMs, FALLBACK_POLL_MS);
        timer = setTimeout(wake, interval);
        await woken;
      } finally {
        this.sleepers.delete(wake);
        signal?.removeEventListener("abort", wake);
        if (timer) clearTimeout(timer);
      }
    }
  }

  async compact(policy: ChangeLogCompaction): Promise<number> {
    checkCompaction(policy);
    if (policy.maxAgeMs === undefined && policy.maxEntries === undefined) return 0;
    return this.guard("compact the change log", () =>
      this.db.transaction(async (tx) => {
        // The highest revision either bound removes: all but the newest maxEntries, and
        // everything before the oldest entry young enough to keep (entries are removed oldest
        // first, so one written late under an early revision keeps those after it).
        const cut = await tx.query<{ cut: string | number | null }>(
          `SELECT greatest(
             CASE WHEN $1::bigint IS NULL THEN NULL ELSE
               (SELECT l.revision FROM change_log l ORDER BY l.revision DESC OFFSET $1::bigint LIMIT 1) END,
             CASE WHEN $2::float8 IS NULL THEN NULL ELSE coalesce(
               (SELECT l.revision - 1 FROM change_log l
                 WHERE l.at >= clock_timestamp() - $2::float8 * interval '1 millisecond' ORDER BY l.revision LIMIT 1),
               (SELECT max(l.revision) FROM change_log l)) END
           ) AS cut`,
          [policy.maxEntries ?? null, policy.maxAgeMs ?? null],
        );
        const through = cut.rows[0]?.cut;
        if (through === null || through === undefined) return 0;
        const removed = await tx.query("DELETE FROM change_log WHERE revision <= $1::bigint", [through]);
        await tx.query("UPDATE change_log_compacted SET through = greatest(through, $1::bigint)", [through]);
        return removed.rowCount;
      }),
    );
  }

  async advanceFence(fence: WriteFence): Promise<void> {
    checkWriteFence(fence);
    await this.guard("advance a write fence", () =>
      this.db.query("SELECT lqx_fence($1::text, $2::bigint)", [fence.name, fence.token]),
    );
  }

  /** close stops listening for notifications; waits in progress fall back to polling. */
  async close(): Promise<void> {
    this.closed = true;
    const unlisten = this.unlisten;
    this.unlisten = undefined;
    await unlisten?.();
  }

  /** listen subscribes to the triggers' channel once; it answers whether notifications will arrive. */
  private listen(): Promise<boolean> {
    if (this.closed || !this.db.listen) return Promise.resolve(false);
    const listen = this.db.listen.bind(this.db);
    this.listening ??= listen(CHANGE_LOG_CHANNEL, () => this.wakeAll()).then(
      (unlisten) => {
        if (this.closed) {
          void unlisten();
          return false;
        }
        this.unlisten = unlisten;
        return true;
      },
      () => {
        // Try again on the next wait; poll meanwhile.
        this.listening = undefined;
        return false;
      },
    );
    return this.listening;
  }

  private wakeAll(): void {
    this.heard++;
    for (const wake of [...this.sleepers]) wake();
  }

  private async guard<R>(action: string, fn: () => Promise<R>): Promise<R> {
    try {
      return await fn();
    } catch (error) {
      throw isDomainError(error) ? error : classifyDbError(error, action);
    }
  }
}
