import {
  type ChangeLog,
  type ChangeLogCompaction,
  type ChangeLogEntry,
  type WriteFence,
  checkCompaction,
  checkReadLimit,
  checkRevision,
  revisionCompacted,
} from "@limiquantix/domain";
import type { MemoryStore } from "./store";

/**
 * MemoryChangeLog is the change log of a memory store: the store appends an entry in the same
 * synchronous step that commits each write (or a unit of work's writes), so revisions follow
 * commit order and a rolled-back work leaves none. Entry times and compaction ages follow the
 * store's clock.
 */
export class MemoryChangeLog implements ChangeLog {
  constructor(private readonly store: MemoryStore) {}

  async head(): Promise<number> {
    return this.store.changes.head;
  }

  async oldest(): Promise<number> {
    return this.store.changes.compactedThrough;
  }

  async read(afterRevision: number, limit: number): Promise<readonly ChangeLogEntry[]> {
    checkRevision(afterRevision);
    checkReadLimit(limit);
    this.checkRetained(afterRevision);
    return structuredClone(this.store.changes.after(afterRevision, limit));
  }

  async wait(afterRevision: number, signal?: AbortSignal): Promise<number> {
    checkRevision(afterRevision);
    const changes = this.store.changes;
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      this.checkRetained(afterRevision);
      if (changes.hasAfter(afterRevision)) return changes.head;
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          stop();
          reject(signal?.reason);
        };
        const stop = changes.onAppend(() => {
          stop();
          signal?.removeEventListener("abort", onAbort);
          resolve();
        });
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    }
  }

  async compact(policy: ChangeLogCompaction): Promise<number> {
    checkCompaction(policy);
    const changes = this.store.changes;
    let through = 0;
    if (policy.maxEntries !== undefined) {
      // The newest entry that falls outside the kept count, when there is one.
      through = Math.max(through, changes.revisionAt(-(policy.maxEntries + 1)) ?? 0);
    }
    if (policy.maxAgeMs !== undefined) {
      const cutoff = new Date(this.store.clock.now().getTime() - policy.maxAgeMs).toISOString();
      const young = changes.firstWrittenSince(cutoff);
      through = Math.max(through, young === undefined ? (changes.revisionAt(-1) ?? 0) : young - 1);
    }
    return through > 0 ? changes.removeThrough(through) : 0;
  }

  async advanceFence(fence: WriteFence): Promise<void> {
    await this.store.write(() => this.store.advanceFence(fence));
  }

  private checkRetained(afterRevision: number): void {
    const oldest = this.store.changes.compactedThrough;
    if (afterRevision < oldest) throw revisionCompacted(afterRevision, oldest);
  }
}
