import {
  type ChangeLog,
  type ChangeLogEntry,
  type Resource,
  type ResourceKind,
  resourceExhausted,
} from "@limiquantix/domain";
import type { ChangeRelay } from "./change-relay";

/** WatchEventType is what happened to a watched object, or a BOOKMARK saying how far the stream has come. */
export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";

/** WatchEvent is one message of a watch stream: a change of one object, or a bookmark. */
export interface WatchEvent<T extends Resource> {
  readonly type: WatchEventType;
  /** The object after the change (as it last was, for DELETED); absent on a BOOKMARK. */
  readonly object?: T;
  /** The revision the stream has reached with this event; resume from it to miss nothing. */
  readonly revision: number;
}

/** WatchSpec says what a watch stream follows. */
export interface WatchSpec<T extends Resource> {
  readonly kind: ResourceKind;
  /** matches says whether an object belongs in the stream (project, labels, states, one id …). */
  readonly matches: (object: T) => boolean;
  /** list returns every object that matches now (read after the relay caught up with the log). */
  readonly list: () => Promise<readonly T[]>;
  /** Resume after this revision instead of listing; absent lists the current objects first. */
  readonly fromRevision?: number;
  /** How often a quiet stream sends a BOOKMARK (default 10 s). */
  readonly bookmarkIntervalMs?: number;
  /** Changes a watcher may have pending before it is cut off (default 1000). */
  readonly bufferSize?: number;
}

/** WatchSources are what every watch stream reads: the log (for replay) and this replica's relay (for live changes). */
export interface WatchSources {
  readonly log: ChangeLog;
  readonly relay: ChangeRelay;
}

const REPLAY_BATCH = 500;

/**
 * watchChanges streams the changes of one kind that match a filter. Without a revision to resume
 * from, it first sends every matching object as ADDED and a BOOKMARK carrying the list's revision;
 * with one, it replays the log from there (a revision the log no longer holds fails with
 * FailedPrecondition, reason `revision-compacted`: list again). Then it follows live changes. An
 * object that stops matching (its labels changed) is sent as DELETED. A quiet stream gets a
 * BOOKMARK now and then. A watcher that falls more than `bufferSize` changes behind is ended with
 * ResourceExhausted naming the revision to resume from; it never holds up the relay or others.
 */
export async function* watchChanges<T extends Resource>(
  sources: WatchSources,
  spec: WatchSpec<T>,
  signal: AbortSignal,
): AsyncGenerator<WatchEvent<T>> {
  const limit = spec.bufferSize ?? 1000;
  const pending: ChangeLogEntry[] = [];
  let overflowed = false;
  let wake: (() => void) | undefined;
  const unsubscribe = sources.relay.subscribe({
    change(entry) {
      if (entry.kind !== spec.kind || overflowed) return;
      if (pending.length >= limit) overflowed = true;
      else pending.push(entry);
      wake?.();
    },
  });
  const onAbort = () => wake?.();
  signal.addEventListener("abort", onAbort);
  try {
    // Visible is what the watcher holds, by id: what decides ADDED vs MODIFIED, and which objects
    // leaving the filter must be sent as DELETED.
    const visible = new Map<string, number>();
    let revision: number;
    if (spec.fromRevision === undefined) {
      await sources.relay.caughtUp();
      revision = sources.relay.revision;
      for (const object of await spec.list()) {
        visible.set(object.id, object.resourceVersion);
        yield { type: "ADDED", object, revision };
      }
      yield { type: "BOOKMARK", revision };
    } else {
      revision = spec.fromRevision;
      for (const object of await spec.list()) visible.set(object.id, object.resourceVersion);
      // Replay what the log holds after the revision up to where the relay stood when we subscribed.
      for (;;) {
        const entries = await sources.log.read(revision, REPLAY_BATCH);
        for (const entry of entries) {
          revision = entry.revision;
          if (entry.kind !== spec.kind) continue;
          const event = apply(entry, spec, visible, true);
          if (event) yield event;
        }
        if (entries.length < REPLAY_BATCH || revision >= sources.relay.revision) break;
      }
    }
    let lastSent = Date.now();
    const interval = spec.bookmarkIntervalMs ?? 10_000;
    while (!signal.aborted) {
      if (overflowed)
        throw resourceExhausted(
          `this watch fell more than ${limit} changes behind; watch again from resource_version ${revision}`,
          {
            resumeFromRevision: revision,
          },
        );
      const entry = pending.shift();
      if (entry) {
        if (entry.revision <= revision) continue;
        revision = entry.revision;
        const event = apply(entry, spec, visible, false);
        if (event) {
          lastSent = Date.now();
          yield event;
        }
        continue;
      }
      const quietFor = Date.now() - lastSent;
      if (quietFor >= interval) {
        lastSent = Date.now();
        yield { type: "BOOKMARK", revision: Math.max(revision, sources.relay.revision) };
        continue;
      }
      // The bookmark timer is cleared once a change wakes the watcher: left to run out, every
      // watcher would hold one per change it waited for, for the whole interval.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, interval - quietFor);
        timer.unref?.();
      });
      clearTimeout(timer);
      wake = undefined;
    }
  } finally {
    unsubscribe();
    signal.removeEventListener("abort", onAbort);
  }
}

/** apply turns one logged change into what the watcher sees, keeping `visible` current. */
function apply<T extends Resource>(
  entry: ChangeLogEntry,
  spec: WatchSpec<T>,
  visible: Map<string, number>,
  replaying: boolean,
): WatchEvent<T> | undefined {
  const object = entry.object as unknown as T;
  const seen = visible.get(entry.id);
  // The listed copy is newer than this change: the watcher has it already.
  if (!replaying && seen !== undefined && seen >= entry.revision && entry.type !== "DELETED")
    return undefined;
  if (entry.type === "DELETED") {
    if (seen === undefined) return undefined;
    visible.delete(entry.id);
    return { type: "DELETED", object, revision: entry.revision };
  }
  if (!spec.matches(object)) {
    if (seen === undefined) return undefined;
    visible.delete(entry.id);
    return { type: "DELETED", object, revision: entry.revision };
  }
  visible.set(entry.id, entry.revision);
  const added = seen === undefined || (replaying && entry.type === "ADDED");
  return { type: added ? "ADDED" : "MODIFIED", object, revision: entry.revision };
}
