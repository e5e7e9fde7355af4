import { ConnectError } from "@connectrpc/connect";
import { CONNECT_CODES } from "@limiquantix/agent-client";
import {
  type AuditEntry,
  type AuditRepository,
  type Clock,
  ERROR_CODES,
  type ErrorCode,
  hasErrorCode,
  Id,
  type IdGenerator,
  isDomainError,
} from "@limiquantix/domain";
import type { Logger } from "pino";
import type { Principal } from "../../context/call-context";
import { auditEntryStored } from "../../context/call-scope";
import type { Grant } from "../policy/authorize";

/** AuditedCall is what the audit log records of one call, besides its outcome. */
export interface AuditedCall {
  readonly principal: Principal;
  /** The RPC, e.g. `limiquantix.compute.v1.VMService/CreateVM`. */
  readonly action: string;
  readonly grant: Grant;
  readonly requestId: string;
  readonly peer?: string;
  /** actorName names an actor that is not yet a principal (the username a login is attempted for). */
  readonly actorName?: string;
}

/** codeOf names the error a call ended with in the domain's codes (a Connect code maps to its domain twin, else Internal). */
export function auditCodeOf(err: unknown): ErrorCode {
  if (isDomainError(err)) return err.code;
  if (err instanceof ConnectError) {
    for (const code of ERROR_CODES) if (CONNECT_CODES[code] === err.code) return code;
  }
  return "Internal";
}

/**
 * AuditRecorder writes the audit log of calls: the entry of a mutating call is prepared before
 * it runs (adapters store it in the transaction of the call's first committed write) and stored
 * again when the call ends, which adds it only if no write stored it; a call that failed adds
 * an entry of its own saying so, and so does every denied call.
 */
export class AuditRecorder {
  constructor(
    private readonly audit: AuditRepository,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** prepare builds the success entry of a call about to run. */
  prepare(call: AuditedCall): AuditEntry {
    const { principal, grant } = call;
    // Access is decided before the request is validated: an id that is not one is left out.
    const resourceId =
      grant.resourceId && Id.safeParse(grant.resourceId).success ? grant.resourceId : undefined;
    const projectId = grant.projectId && Id.safeParse(grant.projectId).success ? grant.projectId : undefined;
    const resource = grant.kind
      ? { resource: { kind: grant.kind, ...(resourceId ? { id: resourceId } : {}) } }
      : {};
    return {
      id: this.ids.next(),
      at: this.clock.now().toISOString(),
      actor: {
        ...(principal.kind === "user" || principal.kind === "service-account" || principal.kind === "node"
          ? { userId: principal.id }
          : {}),
        username: (call.actorName ?? `${principal.kind}:${principal.name}`).slice(0, 128),
        ...(call.peer ? { ip: call.peer.slice(0, 64) } : {}),
      },
      action: call.action,
      ...resource,
      ...(projectId ? { projectId } : {}),
      outcome: "SUCCESS",
      requestId: call.requestId.slice(0, 128),
      details: { role: principal.role ?? "" },
    };
  }

  /** succeeded stores the entry unless the call's own write already did. */
  async succeeded(entry: AuditEntry): Promise<void> {
    // The store said a committed write of the call stored it: appending it again would only be refused.
    if (auditEntryStored(entry)) return;
    await this.store(entry, true);
  }

  /** failed stores an entry saying the call ended with err (a denied call, or one that failed). */
  async failed(entry: AuditEntry, err: unknown): Promise<void> {
    const code = auditCodeOf(err);
    await this.store(
      { ...entry, id: this.ids.next(), at: this.clock.now().toISOString(), outcome: "FAILURE", code },
      false,
    );
  }

  private async store(entry: AuditEntry, mayExist: boolean): Promise<void> {
    try {
      await this.audit.append(entry);
    } catch (e) {
      if (mayExist && hasErrorCode(e, "AlreadyExists")) return;
      // The call's answer stands; a lost entry is loud in the log.
      this.logger.error(
        { err: e, action: entry.action, requestId: entry.requestId },
        "audit entry could not be written",
      );
    }
  }
}
