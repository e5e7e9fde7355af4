import type { Interceptor } from "@connectrpc/connect";
import { permissionDenied } from "@limiquantix/domain";
import type { Logger } from "pino";
import type { CallContext, Principal } from "../context/call-context";
import { runInCallScope } from "../context/call-scope";
import { callContextOf, PEER_CERTIFICATE, replaceCallContext } from "../rpc/call-context-interceptor";
import type { AuditRecorder } from "./audit/audit-recorder";
import { type Authenticator, OPEN_ACCESS } from "./identity/authenticator";
import { authorize, type Grant, type ProjectLookup, type RequestFields } from "./policy/authorize";
import type { PolicyRule } from "./policy/policy-rule";

/** actorOf names the user a sign-in is made for, or the node a join is, from its request, for the audit log. */
function actorOf(message: unknown): { actorName?: string } {
  const m = message as { username?: unknown; joinToken?: unknown; name?: unknown } | undefined;
  if (typeof m?.username === "string" && m.username !== "") return { actorName: `user:${m.username}` };
  // NodeJoinService/JoinNode: a join token's holder asking to become the node `name`.
  if (typeof m?.joinToken === "string" && typeof m.name === "string" && m.name !== "")
    return { actorName: `node:${m.name}` };
  return {};
}

/** AccessOptions are what the access interceptor works with. */
export interface AccessOptions {
  /** When false, every call is made as an administrator (announced at start); audit entries are still written. */
  readonly enabled: boolean;
  readonly authenticator: Authenticator;
  readonly policy: Readonly<Record<string, PolicyRule>>;
  readonly lookup: ProjectLookup;
  readonly audit: AuditRecorder;
  readonly logger: Logger;
}

/**
 * checkAccess authenticates and authorises every call before its service runs: the principal
 * from the bearer token or the node's TLS client certificate, then the RPC's entry in the policy table (a call without one is refused:
 * access fails closed). A denied call is answered Unauthenticated, PermissionDenied or NotFound
 * and leaves an audit entry; an allowed call runs with its principal in the call context, and a
 * mutating one with the audit entry its writes store (see AuditRecorder).
 */
export function checkAccess(options: AccessOptions): Interceptor {
  return (next) => async (req) => {
    const action = `${req.service.typeName}/${req.method.name}`;
    const base: CallContext = callContextOf({ values: req.contextValues, signal: req.signal });
    const rule = options.policy[action];
    let principal: Principal = options.enabled ? base.principal : OPEN_ACCESS;
    // What the audit log records of this call, as far as it is known when asked.
    const facts = (grant: Grant) =>
      options.audit.prepare({
        principal,
        action,
        grant,
        requestId: base.requestId,
        ...(base.peer ? { peer: base.peer } : {}),
        ...(principal.kind === "anonymous" && !req.stream ? actorOf(req.message) : {}),
      });
    const deny = async (e: unknown): Promise<never> => {
      await options.audit.failed(facts({}), e);
      throw e;
    };
    const check = (message: unknown): Promise<Grant> =>
      rule && options.enabled
        ? authorize(principal, rule, message as RequestFields, req.method.name, options.lookup)
        : Promise.resolve({});
    let grant: Grant = {};
    try {
      if (!rule) throw permissionDenied(`no access policy covers ${action}`, { reason: "no-policy" });
      if (options.enabled)
        principal = await options.authenticator.authenticate(
          req.header,
          req.contextValues.get(PEER_CERTIFICATE),
        );
      if (!req.stream) grant = await check(req.message);
    } catch (e) {
      return deny(e);
    }
    if (req.stream) {
      // A server stream's request arrives as its first (only) message: it is authorised as it is read.
      const ctx: CallContext = { ...base, principal };
      replaceCallContext(req.contextValues, ctx);
      const input = req.message;
      async function* authorised(): AsyncIterable<unknown> {
        let first = true;
        for await (const m of input) {
          if (first) await check(m).catch(deny);
          first = false;
          yield m;
        }
      }
      return runInCallScope(ctx, () => next({ ...req, message: authorised() } as typeof req));
    }
    const entry = rule.audited ? facts(grant) : undefined;
    const ctx: CallContext = { ...base, principal, ...(entry ? { audit: entry } : {}) };
    replaceCallContext(req.contextValues, ctx);
    try {
      const res = await runInCallScope(ctx, () => next(req));
      if (entry) await options.audit.succeeded(entry);
      return res;
    } catch (e) {
      if (entry) await options.audit.failed(entry, e);
      throw e;
    }
  };
}
