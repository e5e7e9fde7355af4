/**
 * CallSignalSource tells adapters the abort signal of the call they are working for, when there
 * is one: a database query or an agent call made while serving a request stops when its client
 * goes away. Ports stay free of per-call parameters; the host that serves calls (the server)
 * installs a source backed by its request scope, and adapters ask {@link currentCallSignal}.
 */
export type CallSignalSource = () => AbortSignal | undefined;

// Kept on globalThis so the ESM and CJS copies of this package, when both load, share one source.
const KEY = Symbol.for("limiquantix.callSignalSource");
const slot = globalThis as { [KEY]?: CallSignalSource };

/** installCallSignalSource sets where adapters find the current call's abort signal; it returns the previous source. */
export function installCallSignalSource(next: CallSignalSource): CallSignalSource {
  const previous = slot[KEY] ?? (() => undefined);
  slot[KEY] = next;
  return previous;
}

/** currentCallSignal is the abort signal of the call being served, or undefined outside a call (controllers, start-up). */
export function currentCallSignal(): AbortSignal | undefined {
  return slot[KEY]?.();
}
