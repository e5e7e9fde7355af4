import type { Message } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Runtime } from "../runtime";
import type { WatchChange } from "../resources/kind";

/**
 * follow reads a watch until `done` says the object reached what the caller waits for, calling
 * `onChange` with each version of it; it resolves with that version, or undefined when the
 * stream ends or `stop` aborts it first.
 */
export async function follow<T extends Message>(
  stream: (signal: AbortSignal) => AsyncIterable<WatchChange<T>>,
  onChange: (object: T) => void,
  done: (object: T) => boolean,
  stop: AbortSignal,
): Promise<T | undefined> {
  const aborter = new AbortController();
  const onStop = () => aborter.abort();
  stop.addEventListener("abort", onStop, { once: true });
  try {
    for await (const change of stream(aborter.signal)) {
      if (!change.object) continue;
      onChange(change.object);
      if (done(change.object)) return change.object;
    }
    return undefined;
  } catch (e) {
    if (aborter.signal.aborted || ConnectError.from(e).code === Code.Canceled) return undefined;
    throw e;
  } finally {
    stop.removeEventListener("abort", onStop);
    aborter.abort();
  }
}

/**
 * whileRunning runs `call`, and while it is pending runs `watcher` (progress, say), which is
 * stopped when the call ends; the call's answer or error is what comes back.
 */
export async function whileRunning<R>(
  call: (signal: AbortSignal) => Promise<R>,
  watcher: (stop: AbortSignal) => Promise<unknown>,
  rt: Runtime,
): Promise<R> {
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  rt.signal.addEventListener("abort", onInterrupt, { once: true });
  const watching = watcher(stop.signal).catch(() => undefined);
  try {
    return await call(rt.signal);
  } finally {
    stop.abort();
    rt.signal.removeEventListener("abort", onInterrupt);
    await watching;
  }
}

/** sleep waits, or returns early when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
