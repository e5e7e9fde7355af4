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
 * Stopping the stream (`return`) or aborting `signal` ends it and its subscription.
 */
export function watchChanges<T extends Resource>(
  sources: WatchSources,
  spec: WatchSpec<T>,
  signal: AbortSignal,
): AsyncIterableIterator<WatchEvent<T>> {
  return new WatchStream(sources, spec, signal);
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * WatchStream is one watch. Its start (the list, or the replay) is a generator; live changes are
 * handed out without one: a change that arrives while the consumer waits resolves its `next`
 * directly, and one bookmark timer is kept per stream (re-armed only once it has fired), so a live
 * event costs one promise and no timer.
 */
class WatchStream<T extends Resource> implements AsyncIterableIterator<WatchEvent<T>> {
  private readonly limit: number;
  private readonly interval: number;
  private readonly pending: ChangeLogEntry[] = [];
  /** What the watcher holds, by id: decides ADDED vs MODIFIED, and which objects leaving the filter go out as DELETED. */
  private readonly visible = new Map<string, number>();
  private unsubscribe: (() => void) | undefined;
  private starting: AsyncGenerator<WatchEvent<T>> | undefined;
  private overflowed = false;
  private ended = false;
  private revision = 0;
  private lastSent = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The `next` the consumer waits on; a second one asked meanwhile is answered after it. */
  private waiting:
    | {
        readonly promise: Promise<IteratorResult<WatchEvent<T>>>;
        readonly resolve: (r: IteratorResult<WatchEvent<T>>) => void;
        readonly reject: (e: unknown) => void;
      }
    | undefined;

  constructor(
    private readonly sources: WatchSources,
    private readonly spec: WatchSpec<T>,
    private readonly signal: AbortSignal,
  ) {
    this.limit = spec.bufferSize ?? 1000;
    this.interval = spec.bookmarkIntervalMs ?? 10_000;
  }

  /**
   * open subscribes to the relay (before the list or the replay, so no change falls in between)
   * and starts; as a generator's body, on the first `next`, so a stream never read holds nothing.
   */
  private open(): AsyncGenerator<WatchEvent<T>> {
    const { spec } = this;
    this.unsubscribe = this.sources.relay.subscribe({
      change: (entry) => {
        if (entry.kind !== spec.kind || this.overflowed || this.ended) return;
        if (this.pending.length >= this.limit) this.overflowed = true;
        else this.pending.push(entry);
        if (this.waiting) this.serve();
      },
    });
    this.signal.addEventListener("abort", this.onAbort);
    this.starting = this.start();
    return this.starting;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<WatchEvent<T>>> {
    if (this.ended) return Promise.resolve(DONE);
    if (this.waiting) {
      const after = () => this.next();
      return this.waiting.promise.then(after, after);
    }
    const starting = this.unsubscribe === undefined ? this.open() : this.starting;
    if (starting) return starting.next().then(this.started, this.failed);
    if (this.signal.aborted) return Promise.resolve(this.end());
    try {
      const event = this.take();
      if (event) return Promise.resolve({ done: false, value: event });
    } catch (error) {
      return Promise.reject(this.fail(error));
    }
    let resolve!: (r: IteratorResult<WatchEvent<T>>) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<IteratorResult<WatchEvent<T>>>((yes, no) => {
      resolve = yes;
      reject = no;
    });
    this.waiting = { promise, resolve, reject };
    this.arm();
    return promise;
  }

  async return(): Promise<IteratorResult<WatchEvent<T>>> {
    return this.end();
  }

  async throw(error?: unknown): Promise<IteratorResult<WatchEvent<T>>> {
    await this.return();
    throw error;
  }

  /** start lists the matching objects (or replays the log from the revision asked for). */
  private async *start(): AsyncGenerator<WatchEvent<T>> {
    const { sources, spec, visible } = this;
    if (spec.fromRevision === undefined) {
      await sources.relay.caughtUp();
      this.revision = sources.relay.revision;
      for (const object of await spec.list()) {
        visible.set(object.id, object.resourceVersion);
        yield { type: "ADDED", object, revision: this.revision };
      }
      yield { type: "BOOKMARK", revision: this.revision };
      return;
    }
    this.revision = spec.fromRevision;
    for (const object of await spec.list()) visible.set(object.id, object.resourceVersion);
    // Replay what the log holds after the revision up to where the relay stood when we subscribed.
    for (;;) {
      const entries = await sources.log.read(this.revision, REPLAY_BATCH);
      for (const entry of entries) {
        this.revision = entry.revision;
        if (entry.kind !== spec.kind) continue;
        const event = apply(entry, spec, visible, true);
        if (event) yield event;
      }
      if (entries.length < REPLAY_BATCH || this.revision >= sources.relay.revision) return;
    }
  }

  private readonly started = (
    r: IteratorResult<WatchEvent<T>>,
  ): Promise<IteratorResult<WatchEvent<T>>> | IteratorResult<WatchEvent<T>> => {
    if (this.ended) return DONE;
    if (!r.done) return r;
    this.starting = undefined;
    this.lastSent = Date.now();
    return this.next();
  };

  private readonly failed = (error: unknown): never => {
    throw this.fail(error);
  };

  /** take is the next event to send now, if any: a pending change that concerns the watcher, or a bookmark that is due. */
  private take(): WatchEvent<T> | undefined {
    for (;;) {
      if (this.overflowed)
        throw resourceExhausted(
          `this watch fell more than ${this.limit} changes behind; watch again from resource_version ${this.revision}`,
          { resumeFromRevision: this.revision },
        );
      const entry = this.pending.shift();
      if (!entry) break;
      if (entry.revision <= this.revision) continue;
      this.revision = entry.revision;
      const event = apply(entry, this.spec, this.visible, false);
      if (event) {
        this.lastSent = Date.now();
        return event;
      }
    }
    if (Date.now() - this.lastSent < this.interval) return undefined;
    this.lastSent = Date.now();
    return { type: "BOOKMARK", revision: Math.max(this.revision, this.sources.relay.revision) };
  }

  /** serve hands the waiting consumer its next event, if there is one now. */
  private serve(): void {
    const waiting = this.waiting;
    if (!waiting) return;
    try {
      const event = this.take();
      if (!event) {
        this.arm();
        return;
      }
      this.waiting = undefined;
      waiting.resolve({ done: false, value: event });
    } catch (error) {
      this.waiting = undefined;
      waiting.reject(this.fail(error));
    }
  }

  /** arm keeps one bookmark timer, due when the stream will have been quiet for the interval. */
  private arm(): void {
    if (this.timer !== undefined || this.ended) return;
    const due = Math.max(0, this.lastSent + this.interval - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.serve();
    }, due);
    this.timer.unref?.();
  }

  private readonly onAbort = (): void => {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.resolve(this.end());
  };

  private fail(error: unknown): unknown {
    this.end();
    return error;
  }

  private end(): IteratorReturnResult<undefined> {
    if (this.ended) return DONE;
    this.ended = true;
    // A start under way is ended once its step is done (a generator queues the return).
    this.starting?.return(undefined).catch(() => undefined);
    this.starting = undefined;
    this.pending.length = 0;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.signal.removeEventListener("abort", this.onAbort);
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.resolve(DONE);
    return DONE;
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
