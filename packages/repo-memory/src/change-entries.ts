import type {
  CallAttribution,
  ChangeLogEntry,
  Resource,
  ResourceKind,
  WatchEventType,
} from "@limiquantix/domain";

/** ChangeDraft is what a write tells the log about one change; the log adds the revision, the time and the call. */
export interface ChangeDraft {
  readonly kind: ResourceKind;
  readonly type: WatchEventType;
  /** The resource after the change (already carrying the revision as its resourceVersion), or before it for DELETED. */
  readonly object: Resource;
}

/** makeEntry builds the log entry of a change at a revision, with a private copy of the resource and the attribution of the call it is made for. */
export function makeEntry(
  draft: ChangeDraft,
  revision: number,
  at: string,
  call: CallAttribution | undefined,
): ChangeLogEntry {
  const object = structuredClone(draft.object);
  const projectId: unknown = (object as { projectId?: unknown }).projectId;
  return {
    revision,
    kind: draft.kind,
    id: object.id,
    ...(typeof projectId === "string" ? { projectId } : {}),
    type: draft.type,
    object,
    ...(call?.requestId ? { requestId: call.requestId } : {}),
    ...(call?.principal ? { principal: call.principal } : {}),
    at,
  } as ChangeLogEntry;
}

/**
 * ChangeEntries holds the committed entries of the memory store's change log in revision order,
 * the revision below which they were compacted, and the waiters to wake when entries arrive.
 * Only the store appends, under its write mutex, in the same step that commits the write.
 */
export class ChangeEntries {
  private entries: ChangeLogEntry[] = [];
  private latest = 0;
  private compacted = 0;
  private readonly listeners = new Set<() => void>();

  /** head is the revision of the latest committed change (0 before any). */
  get head(): number {
    return this.latest;
  }

  /** compactedThrough is the highest revision compaction removed (0 before any): reads must start at or above it. */
  get compactedThrough(): number {
    return this.compacted;
  }

  /** size is how many entries are kept. */
  get size(): number {
    return this.entries.length;
  }

  /** append commits entries (in revision order, above head) and wakes every waiter. */
  append(batch: readonly ChangeLogEntry[]): void {
    if (batch.length === 0) return;
    this.entries.push(...batch);
    this.latest = batch[batch.length - 1]!.revision;
    for (const listener of [...this.listeners]) listener();
  }

  /** after returns up to limit entries with revisions above `revision`, in order (the stored objects: callers copy). */
  after(revision: number, limit: number): readonly ChangeLogEntry[] {
    const from = this.firstAbove(revision);
    return this.entries.slice(from, from + limit);
  }

  /** hasAfter says whether an entry above `revision` is committed. */
  hasAfter(revision: number): boolean {
    const newest = this.entries.at(-1);
    return newest !== undefined && newest.revision > revision;
  }

  /** removeThrough removes every entry at or below `revision` and returns how many it removed. */
  removeThrough(revision: number): number {
    const n = this.firstAbove(revision);
    if (n > 0) this.entries = this.entries.slice(n);
    this.compacted = Math.max(this.compacted, Math.min(revision, this.latest));
    return n;
  }

  /** revisionAt returns the revision of the entry at an index from the oldest (negative: from the newest). */
  revisionAt(index: number): number | undefined {
    return this.entries.at(index)?.revision;
  }

  /** firstWrittenSince returns the revision of the oldest entry written at or after `at` (ISO), if any. */
  firstWrittenSince(at: string): number | undefined {
    return this.entries.find((e) => e.at >= at)?.revision;
  }

  /** onAppend calls listener after every append until the returned function is called. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private firstAbove(revision: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid]!.revision <= revision) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
