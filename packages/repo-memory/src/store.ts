import {
  type AuditEntry,
  type ChangeLogEntry,
  type Clock,
  currentCallAttribution,
  failedPrecondition,
  internal,
  nowIso,
  RESOURCE_KINDS,
  RESOURCES,
  type Resource,
  type ResourceKind,
  type WatchEventType,
  type WriteFence,
  checkWriteFence,
  fencedOut,
} from "@limiquantix/domain";
import { auditOfCall, storeCallAudit } from "./call-audit";
import { ChangeEntries, makeEntry } from "./change-entries";
import { Mutex } from "./mutex";
import { BaseTable, OverlayTable, type Row, type Rows } from "./table";

/** AUDIT_TABLE names the audit log's table beside the resource kinds. */
export const AUDIT_TABLE = "AuditEntry";
/** TableName is a resource kind or the audit log. */
export type TableName = ResourceKind | typeof AUDIT_TABLE;

/** StoreAccess is how repositories reach rows: the committed store, or a unit of work's private view of it. */
export interface StoreAccess {
  table<T extends Row>(name: TableName): Rows<T>;
  /** write runs a synchronous mutation with writes excluded from everyone else, and returns its result. */
  write<R>(mutation: () => R): Promise<R>;
  /** now is the clock's current instant as an ISO string. */
  now(): string;
  /**
   * record logs a change made by the current write (call it inside `write`, after every check
   * passed): it gives the change the next revision and returns the resource to store, whose
   * resourceVersion is that revision (for DELETED, the resource as it was). The entry commits
   * with the write, or not at all, and so does the audit entry of the call it is made for
   * (CallAttribution.audit), unless an entry with its id is stored already.
   */
  record<T extends Resource>(kind: ResourceKind, type: WatchEventType, object: T): T;
}

/** stamp returns the resource a change stores: with the change's revision as its resourceVersion, except for a delete. */
function stamp<T extends Resource>(type: WatchEventType, object: T, revision: number): T {
  return type === "DELETED" ? object : { ...object, resourceVersion: revision };
}

/** MemoryStore holds every table, the change log and the mutex that serialises writes and units of work. */
export class MemoryStore implements StoreAccess {
  readonly mutex = new Mutex();
  /** The committed entries of the change log. */
  readonly changes = new ChangeEntries();
  /** The newest fencing token seen per office (ChangeLog.advanceFence, CallAttribution.fence). */
  private readonly fences = new Map<string, number>();
  private readonly tables = new Map<TableName, BaseTable<Row>>();
  /** The change-log and audit entries of the write running now, committed when its mutation returns. */
  private staged: { readonly changes: ChangeLogEntry[]; readonly audits: AuditEntry[] } | undefined;

  constructor(readonly clock: Clock) {
    for (const kind of RESOURCE_KINDS)
      this.tables.set(kind, new BaseTable(RESOURCES[kind].uniqueKeys.map((k) => k.fields)));
    this.tables.set(AUDIT_TABLE, new BaseTable([]));
  }

  base<T extends Row>(name: TableName): BaseTable<T> {
    return this.tables.get(name) as unknown as BaseTable<T>;
  }

  table<T extends Row>(name: TableName): Rows<T> {
    return this.base<T>(name);
  }

  write<R>(mutation: () => R): Promise<R> {
    return this.mutex.runExclusive(() => {
      const staged = { changes: [] as ChangeLogEntry[], audits: [] as AuditEntry[] };
      this.staged = staged;
      try {
        const result = mutation();
        const audits = this.base<AuditEntry>(AUDIT_TABLE);
        for (const audit of staged.audits) storeCallAudit(audits, audit);
        this.changes.append(staged.changes);
        return result;
      } finally {
        this.staged = undefined;
      }
    });
  }

  now(): string {
    return nowIso(this.clock);
  }

  /**
   * advanceFence records a fence's token as the newest of its office, or refuses it (fencedOut)
   * when a newer one is recorded. Writes call it before they change anything (they hold the
   * store's mutex), so a refused write leaves nothing; a token advanced by a write that then
   * rolls back stays recorded, which refuses no one its successor would not.
   */
  advanceFence(fence: WriteFence | undefined): void {
    if (fence === undefined) return;
    checkWriteFence(fence);
    const newest = this.fences.get(fence.name) ?? 0;
    if (fence.token < newest) throw fencedOut(fence, newest);
    this.fences.set(fence.name, fence.token);
  }

  record<T extends Resource>(kind: ResourceKind, type: WatchEventType, object: T): T {
    const staged = this.staged;
    if (!staged) throw internal("a change was recorded outside a write of the memory store");
    const call = currentCallAttribution();
    // Validated before anything is staged: an invalid entry or a stale fence refuses the write.
    const audit = auditOfCall(call);
    this.advanceFence(call?.fence);
    const revision = this.changes.head + staged.changes.length + 1;
    const stored = stamp(type, object, revision);
    staged.changes.push(makeEntry({ kind, type, object: stored }, revision, this.now(), call));
    if (audit) staged.audits.push(audit);
    return stored;
  }

  /** size is how many rows a table holds (for tests and diagnostics). */
  size(name: TableName): number {
    return this.base(name).size;
  }
}

/**
 * Transaction is a unit of work's view of the store. Its caller holds the store's mutex for its
 * whole life, so its writes apply directly to its overlays and commit in one synchronous step.
 */
export class Transaction implements StoreAccess {
  private readonly overlays = new Map<TableName, OverlayTable<Row>>();
  private readonly pending: ChangeLogEntry[] = [];
  private ended = false;

  constructor(private readonly store: MemoryStore) {}

  table<T extends Row>(name: TableName): Rows<T> {
    this.assertOpen();
    let overlay = this.overlays.get(name);
    if (!overlay) {
      overlay = new OverlayTable(this.store.base(name));
      this.overlays.set(name, overlay);
    }
    return overlay as unknown as Rows<T>;
  }

  async write<R>(mutation: () => R): Promise<R> {
    this.assertOpen();
    return mutation();
  }

  now(): string {
    return this.store.now();
  }

  record<T extends Resource>(kind: ResourceKind, type: WatchEventType, object: T): T {
    this.assertOpen();
    const call = currentCallAttribution();
    const audit = auditOfCall(call);
    this.store.advanceFence(call?.fence);
    // The work holds the store's mutex, so nobody else commits before it does.
    const revision = this.store.changes.head + this.pending.length + 1;
    const stored = stamp(type, object, revision);
    this.pending.push(makeEntry({ kind, type, object: stored }, revision, this.now(), call));
    // Stored in the work's view at once, as a database stores it with the change: it commits or rolls back with the work.
    if (audit) storeCallAudit(this.table<AuditEntry>(AUDIT_TABLE), audit);
    return stored;
  }

  /** commit applies every overlay to the store and appends the work's entries to the change log, in one synchronous step. */
  commit(): void {
    this.assertOpen();
    for (const overlay of this.overlays.values()) overlay.commit();
    this.store.changes.append(this.pending);
    this.ended = true;
  }

  /** end closes the view; later use fails rather than writing outside the work. */
  end(): void {
    this.ended = true;
  }

  private assertOpen(): void {
    if (this.ended)
      throw failedPrecondition(
        "this unit of work has ended: use the repositories it hands out only inside its callback",
      );
  }
}
