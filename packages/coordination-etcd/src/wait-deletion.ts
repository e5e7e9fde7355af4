import type { Etcd3 } from "etcd3";

/**
 * waitForDeletion resolves when key is deleted after afterRevision (a deletion that already
 * happened since then counts, as the watch starts at afterRevision + 1), or when the watch
 * fails, so the caller looks again; it rejects with the signal's reason when signal aborts.
 */
export function waitForDeletion(
  client: Etcd3,
  key: string,
  afterRevision: number,
  signal: AbortSignal,
): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  // watcher() (not create()) so an unreachable etcd cannot hold us past the signal.
  const watcher = client
    .watch()
    .key(key)
    .startRevision(String(afterRevision + 1))
    .watcher();
  return new Promise<void>((resolve, reject) => {
    const finish = (err?: unknown) => {
      signal.removeEventListener("abort", onAbort);
      watcher.removeAllListeners("delete");
      watcher.on("error", () => {});
      watcher.cancel().catch(() => undefined);
      if (err === undefined) resolve();
      else reject(err);
    };
    const onAbort = () => finish(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    watcher.on("delete", () => finish());
    // A compacted start revision or a cancelled watch: re-reading the owner settles it.
    watcher.on("error", () => setTimeout(() => finish(), 100));
  });
}
