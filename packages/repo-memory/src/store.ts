import {
  type Clock,
  failedPrecondition,
  nowIso,
  RESOURCE_KINDS,
  RESOURCES,
  type ResourceKind,
} from "@limiquantix/domain";
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
}

/** MemoryStore holds every table and the mutex that serialises writes and units of work. */
export class MemoryStore implements StoreAccess {
  readonly mutex = new Mutex();
  private readonly tables = new Map<TableName, BaseTable<Row>>();

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
    return this.mutex.runExclusive(mutation);
  }

  now(): string {
    return nowIso(this.clock);
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

  /** commit applies every overlay to the store. */
  commit(): void {
    this.assertOpen();
    for (const overlay of this.overlays.values()) overlay.commit();
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
