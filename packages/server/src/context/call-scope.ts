import { AsyncLocalStorage } from "node:async_hooks";
import {
  type AuditEntry,
  type CallAttribution,
  installCallAttributionSource,
  installCallSignalSource,
  type WriteFence,
} from "@limiquantix/domain";
import type { CallContext } from "./call-context";

const scope = new AsyncLocalStorage<CallContext>();

/** FencedWork is who the controllers' writes are made by, and the leadership they are made under. */
export interface FencedWork {
  /** The principal the change log records for writes made outside a call (`controller:<replica>`). */
  readonly principal: string;
  /** The leadership's fence; undefined where one process owns the store and no fence is kept. */
  readonly fence?: WriteFence;
}
const fenceScope = new AsyncLocalStorage<FencedWork>();
let installed = false;

/** The audit entries a store said it stored with a committed change (CallAttribution.auditStored). */
const storedAudit = new WeakSet<AuditEntry>();

/** auditEntryStored says whether a store has stored the call's entry with a change it committed. */
export function auditEntryStored(entry: AuditEntry): boolean {
  return storedAudit.has(entry);
}

function attributionOf(c: CallContext | undefined, f: FencedWork | undefined): CallAttribution | undefined {
  const fence = f?.fence ? { fence: f.fence } : {};
  if (!c) return f ? { principal: f.principal, ...fence } : undefined;
  const principal = `${c.principal.kind}:${c.principal.name}`;
  const audit = c.audit;
  return audit
    ? { requestId: c.requestId, principal, audit, auditStored: () => storedAudit.add(audit), ...fence }
    : { requestId: c.requestId, principal, ...fence };
}

function install(): void {
  if (installed) return;
  installed = true;
  installCallSignalSource(() => scope.getStore()?.signal);
  installCallAttributionSource(() => attributionOf(scope.getStore(), fenceScope.getStore()));
}

/**
 * runInCallScope runs a call's work with its context as the ambient scope, so adapters started
 * by that work see the call's abort signal (`currentCallSignal`: database queries and agent calls
 * stop when the client goes away) and its attribution (`currentCallAttribution`: the change log
 * records the request id and principal of every write).
 */
export function runInCallScope<T>(ctx: CallContext, work: () => T): T {
  install();
  return scope.run(ctx, work);
}

/**
 * runFenced runs the controllers' work (and everything it starts: timers, loops, change
 * listeners) as the elected leader's: every write it makes carries the leadership's fence, so
 * the store refuses it once another replica has been elected (CallAttribution.fence), and the
 * change log records it as made by `work.principal`.
 */
export function runFenced<T>(work: FencedWork, fn: () => T): T {
  install();
  return fenceScope.run(work, fn);
}

/**
 * runDetached runs work outside any call's scope: work a call starts and does not wait for (a
 * migration, a drain) must not be cancelled with that call.
 */
export function runDetached<T>(work: () => T): T {
  return scope.exit(work);
}
