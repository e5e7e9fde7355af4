import type { ResourceKind, ResourceOf } from "../resources";
import type { WatchEventType } from "./event-bus";
import type { WriteFence } from "./write-fence";
import { type ServiceIdentifier, serviceIdentifier } from "./service-identifier";

/** ChangeLogEntryOf is one committed change of a resource of kind K, as the change log keeps it. */
export interface ChangeLogEntryOf<K extends ResourceKind> {
  /** The cluster-wide revision of the change: strictly increasing in commit order, not necessarily consecutive. */
  readonly revision: number;
  readonly kind: K;
  /** The id of the resource that changed. */
  readonly id: string;
  /** The project of the resource, for kinds that belong to one. */
  readonly projectId?: string;
  readonly type: WatchEventType;
  /** The resource after the change (its resourceVersion is `revision`); for DELETED, the resource as it was before. */
  readonly object: ResourceOf<K>;
  /** The request id of the call the change was made for, when a call was being served. */
  readonly requestId?: string;
  /** Who made the call the change was made for, when a call was being served. */
  readonly principal?: string;
  /** When the change was written, as an ISO-8601 UTC instant. */
  readonly at: string;
}

/** ChangeLogEntry is one committed change of any kind; `kind` tells which, and so the type of `object`. */
export type ChangeLogEntry = { [K in ResourceKind]: ChangeLogEntryOf<K> }[ResourceKind];

/** ChangeLogCompaction says which entries compaction removes: those older than maxAgeMs, and all but the newest maxEntries. */
export interface ChangeLogCompaction {
  /** Remove entries written more than this many milliseconds ago. */
  readonly maxAgeMs?: number;
  /** Keep at most this many entries (the newest). */
  readonly maxEntries?: number;
}

/**
 * ChangeLog is the record of every committed write of every resource, in commit order: each
 * write through the repositories or a unit of work appends one entry in its own transaction (a
 * rolled-back write appends none), and the resource's `resourceVersion` becomes the entry's
 * revision. Revisions are cluster-wide and strictly increasing; a reader that has seen revision
 * r never later sees an entry below r appear. Watch streams, caches and controllers follow it:
 * list at `head()`, then `read` from that revision and `wait` for more. Old entries are removed
 * by `compact`; reading from a revision below `oldest()` fails with FailedPrecondition (details
 * `{ reason: "revision-compacted", oldestRevision }`), and the reader must list again.
 */
export interface ChangeLog {
  /** head returns the latest committed revision (0 before the first write). */
  head(): Promise<number>;
  /** oldest returns the lowest revision `read` and `wait` accept: every change after it is still kept. */
  oldest(): Promise<number>;
  /**
   * read returns up to `limit` entries with revisions above `afterRevision`, in revision order.
   * A revision below `oldest()` fails with FailedPrecondition (reason `revision-compacted`).
   */
  read(afterRevision: number, limit: number): Promise<readonly ChangeLogEntry[]>;
  /**
   * wait resolves with the latest committed revision once an entry above `afterRevision` is
   * committed (at once if there is one already). It rejects with the signal's reason when the
   * signal aborts first, and like `read` when `afterRevision` is below `oldest()`.
   */
  wait(afterRevision: number, signal?: AbortSignal): Promise<number>;
  /** compact removes the entries the policy selects (always the oldest first) and returns how many it removed. */
  compact(policy: ChangeLogCompaction): Promise<number>;
  /**
   * advanceFence records `fence.token` as the newest grant of `fence.name` (writes made under an
   * older token are refused from now on: CallAttribution.fence). A new leader calls it before it
   * acts. It fails with FailedPrecondition (reason `fenced`, see fencedOut) when a newer token is
   * recorded already, and does nothing when the same token is.
   */
  advanceFence(fence: WriteFence): Promise<void>;
}
/** ChangeLog is the service identifier of the ChangeLog port. */
export const ChangeLog: ServiceIdentifier<ChangeLog> = serviceIdentifier<ChangeLog>("ChangeLog");
