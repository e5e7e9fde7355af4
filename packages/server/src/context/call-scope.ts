import { AsyncLocalStorage } from "node:async_hooks";
import { installCallSignalSource } from "@limiquantix/domain";
import type { CallContext } from "./call-context";

const scope = new AsyncLocalStorage<CallContext>();
let installed = false;

/**
 * runInCallScope runs a call's work with its context as the ambient scope, so adapters (database
 * queries, agent calls) started by that work see the call's abort signal through the domain's
 * `currentCallSignal`.
 */
export function runInCallScope<T>(ctx: CallContext, work: () => T): T {
  if (!installed) {
    installed = true;
    installCallSignalSource(() => scope.getStore()?.signal);
  }
  return scope.run(ctx, work);
}

/**
 * runDetached runs work outside any call's scope: work a call starts and does not wait for (a
 * migration, a drain) must not be cancelled with that call.
 */
export function runDetached<T>(work: () => T): T {
  return scope.exit(work);
}
