import type { AuditEntry, Role } from "@limiquantix/domain";

/** PrincipalKind says what kind of caller a principal is. */
export type PrincipalKind = "anonymous" | "user" | "service-account" | "node" | "system";

/** Principal is who makes a call: a user, a service account, a node agent, the control plane itself, or nobody known. */
export interface Principal {
  readonly kind: PrincipalKind;
  /** id is stable for the principal (a user id, a node id, a controller name). */
  readonly id: string;
  /** name is how logs and the audit log show it. */
  readonly name: string;
  /** role is the principal's cluster-wide role, when it has one (it then holds in every project). */
  readonly role?: Role;
  /** projects are the principal's roles in single projects. */
  readonly projects?: readonly ProjectRole[];
  /** sessionId is the login session (refresh-token family) the principal's access token belongs to. */
  readonly sessionId?: string;
}

/** ProjectRole binds a role in one project. */
export interface ProjectRole {
  readonly projectId: string;
  readonly role: Role;
}

/** ANONYMOUS is the principal of a call that presented no credentials. */
export const ANONYMOUS: Principal = Object.freeze({ kind: "anonymous", id: "anonymous", name: "anonymous" });

/**
 * CallContext travels with one call from the edge into every service method: who calls, under
 * which request id, until when, and the signal that aborts the work when the client goes away.
 */
export interface CallContext {
  readonly principal: Principal;
  readonly requestId: string;
  /** deadline is when the caller stops waiting, when it said so. */
  readonly deadline?: Date;
  /** signal aborts when the client cancels, its deadline passes, or the server shuts down. */
  readonly signal: AbortSignal;
  /** peer is the caller's network address, when known. */
  readonly peer?: string;
  /** audit is the audit entry of a call that is audited: adapters store it with the call's first committed write. */
  readonly audit?: AuditEntry;
}

const NEVER = new AbortController().signal;

/**
 * systemContext is the context of work the control plane does on its own (controllers, start-up,
 * simulated nodes): a system principal named after the component, and no deadline.
 */
export function systemContext(component: string, signal: AbortSignal = NEVER): CallContext {
  return {
    principal: { kind: "system", id: component, name: component },
    requestId: `system:${component}`,
    signal,
  };
}
