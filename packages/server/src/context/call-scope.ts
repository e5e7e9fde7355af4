import { AsyncLocalStorage } from "node:async_hooks";
import { installCallAttributionSource, installCallSignalSource } from "@limiquantix/domain";
import type { CallContext } from "./call-context";

const scope = new AsyncLocalStorage<CallContext>();
let installed = false;

/**
 * runInCallScope runs a call's work with its context as the ambient scope, so adapters started
 * by that work see the call's abort signal (`currentCallSignal`: database queries and agent calls
 * stop when the client goes away) and its attribution (`currentCallAttribution`: the change log
 * records the request id and principal of every write).
 */
export function runInCallScope<T>(ctx: CallContext, work: () => T): T {
  if (!installed) {
    installed = true;
    installCallSignalSource(() => scope.getStore()?.signal);
    installCallAttributionSource(() => {
      const c = scope.getStore();
      if (!c) return undefined;
      const principal = `${c.principal.kind}:${c.principal.name}`;
      return c.audit
        ? { requestId: c.requestId, principal, audit: c.audit }
        : { requestId: c.requestId, principal };
    });
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
