import type { Etcd3, IWatchResponse, Watcher } from "etcd3";
import { classifyEtcdError } from "./errors";

/** KeyEvent is one change seen by a watch. */
export interface KeyEvent {
  readonly type: "put" | "delete";
  readonly key: string;
  /** The value after a put; empty for a delete. */
  readonly value: string;
  /** The revision of the change. */
  readonly modRevision: number;
  /** The key's create revision (0 for a delete). */
  readonly createRevision: number;
  /** How many times the key was written since it was created (1 for a creation, 0 for a delete). */
  readonly version: number;
}

/** ResumableWatchOptions say where a watch starts and where its events and troubles go. */
export interface ResumableWatchOptions {
  /** Deliver changes made after this revision (default: changes from now on). */
  readonly afterRevision?: number;
  /** Receives each batch of changes, in revision order. */
  readonly onEvents: (events: readonly KeyEvent[], revision: number) => void;
  /**
   * Called when the revisions after the last seen one were compacted away, so changes may
   * have been missed: re-read the state, then the watch goes on from the current revision.
   */
  readonly onResync?: () => void;
  /** Receives watch failures that were recovered from. */
  readonly onError?: (error: unknown) => void;
}

/** ResumableWatch is a running watch over a key prefix. */
export interface ResumableWatch {
  /** lastRevision is the revision up to which every change has been delivered. */
  lastRevision(): number;
  close(): Promise<void>;
}

/**
 * watchPrefix watches every key under prefix and, after a lost connection or a cancelled watch,
 * starts again right after the last revision it delivered, so no change is missed or repeated
 * (unless etcd compacted that history away, which onResync reports).
 */
export function watchPrefix(client: Etcd3, prefix: string, options: ResumableWatchOptions): ResumableWatch {
  let last = options.afterRevision ?? 0;
  let started = options.afterRevision !== undefined;
  let watcher: Watcher | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const handle = (res: IWatchResponse) => {
    const events = res.events
      .map(
        (e): KeyEvent => ({
          type: e.type === "Delete" ? "delete" : "put",
          key: e.kv.key.toString(),
          value: e.type === "Delete" ? "" : e.kv.value.toString(),
          modRevision: Number(e.kv.mod_revision),
          createRevision: Number(e.kv.create_revision),
          version: Number(e.kv.version),
        }),
      )
      .filter((e) => e.modRevision > last);
    if (events.length > 0) {
      last = Math.max(last, ...events.map((e) => e.modRevision));
      try {
        options.onEvents(events, last);
      } catch (err) {
        // A throwing listener must not reach etcd3's stream handler, which would rethrow it.
        options.onError?.(err);
      }
    }
  };

  const start = () => {
    if (closed) return;
    let builder = client.watch().prefix(prefix);
    if (started) builder = builder.startRevision(String(last + 1));
    const w = builder.watcher();
    watcher = w;
    w.on("connected", (res: IWatchResponse) => {
      // The first creation fixes the starting point for later resumptions.
      if (!started) {
        started = true;
        last = Math.max(last, Number(res.header.revision));
      }
    });
    w.on("data", handle);
    w.on("disconnected", (err: unknown) => options.onError?.(classifyEtcdError(err, `watching "${prefix}"`)));
    w.on("error", (err: Error) => {
      if (watcher !== w || closed) return;
      watcher = undefined;
      w.cancel().catch(() => undefined);
      if (/compact/i.test(err.message)) {
        started = false;
        options.onResync?.();
      } else options.onError?.(classifyEtcdError(err, `watching "${prefix}"`));
      retry = setTimeout(start, 200);
    });
  };
  start();

  return {
    lastRevision: () => last,
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(retry);
      const w = watcher;
      watcher = undefined;
      if (w) await w.cancel().catch(() => undefined);
    },
  };
}
