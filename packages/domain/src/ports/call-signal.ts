import type { AuditEntry } from "../entities/audit-entry";
import type { WriteFence } from "./write-fence";

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

/** CallAttribution names the call a write is made for: its request id and who made it (as the audit log shows them). */
export interface CallAttribution {
  readonly requestId?: string;
  readonly principal?: string;
  /**
   * The audit entry of the call, when the host audits it (its id is unique per call). Every
   * transaction that logs a change for the call also stores this entry, in that transaction,
   * unless an entry with its id is already stored: a change never commits without its call's
   * entry, a call that commits several transactions is recorded once (by the first to commit),
   * and a transaction that rolls back leaves no entry.
   */
  readonly audit?: AuditEntry;
  /**
   * Called by a store, when it can tell, once a transaction that stored the call's audit entry
   * (or found it stored) has committed: the host need not store the entry again when the call
   * ends. A store that cannot tell never calls it, and the host stores the entry itself (which
   * the store refuses as AlreadyExists when a write stored it).
   */
  readonly auditStored?: () => void;
  /**
   * The office the write is made under, when it is made by the holder of an election or lock (the
   * controllers of the elected leader): the store refuses it, in its transaction, with
   * FailedPrecondition (reason `fenced`) when it has seen a newer grant of that office, and
   * otherwise remembers the token (see ChangeLog.advanceFence).
   */
  readonly fence?: WriteFence;
}

/**
 * CallAttributionSource tells adapters which call they are writing for, when there is one, so
 * the change log can record it. The host that serves calls installs one backed by its request
 * scope, as it installs the CallSignalSource; adapters ask {@link currentCallAttribution}.
 */
export type CallAttributionSource = () => CallAttribution | undefined;

const ATTRIBUTION_KEY = Symbol.for("limiquantix.callAttributionSource");
const attributionSlot = globalThis as { [ATTRIBUTION_KEY]?: CallAttributionSource };

/** installCallAttributionSource sets where adapters find the current call's attribution; it returns the previous source. */
export function installCallAttributionSource(next: CallAttributionSource): CallAttributionSource {
  const previous = attributionSlot[ATTRIBUTION_KEY] ?? (() => undefined);
  attributionSlot[ATTRIBUTION_KEY] = next;
  return previous;
}

/** currentCallAttribution is the request id, principal and audit entry of the call being served, or undefined outside a call. */
export function currentCallAttribution(): CallAttribution | undefined {
  return attributionSlot[ATTRIBUTION_KEY]?.();
}
