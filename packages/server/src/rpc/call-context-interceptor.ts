import { randomUUID, type X509Certificate } from "node:crypto";
import {
  type ContextValues,
  createContextKey,
  type HandlerContext,
  type Interceptor,
} from "@connectrpc/connect";
import { ANONYMOUS, type CallContext } from "../context/call-context";
import { runInCallScope } from "../context/call-scope";
import { REQUEST_ID_HEADER, requestIdOf } from "./edge/request-id";

/** PEER_ADDRESS is the context value holding the caller's address, set from the socket by the HTTP adapter. */
export const PEER_ADDRESS = createContextKey<string | undefined>(undefined, { description: "peer address" });

/**
 * PEER_CERTIFICATE is the context value holding the client certificate the caller's TLS
 * connection presented, set by the HTTP adapter only when the listener verified it against the
 * CAs it trusts for clients.
 */
export const PEER_CERTIFICATE = createContextKey<X509Certificate | undefined>(undefined, {
  description: "verified peer certificate",
});

const CALL_CONTEXT = createContextKey<CallContext | undefined>(undefined, { description: "call context" });

const GRPC_TIMEOUT = /^(\d{1,8})([HMSmun])$/;
const GRPC_UNIT_MS: Record<string, number> = {
  H: 3_600_000,
  M: 60_000,
  S: 1000,
  m: 1,
  u: 0.001,
  n: 0.000001,
};

/** deadlineOf reads the deadline a client asked for (Connect's `connect-timeout-ms`, gRPC's `grpc-timeout`). */
export function deadlineOf(header: Headers, now: number): Date | undefined {
  const connectMs = header.get("connect-timeout-ms");
  if (connectMs !== null && /^\d{1,10}$/.test(connectMs)) return new Date(now + Number(connectMs));
  const grpc = GRPC_TIMEOUT.exec(header.get("grpc-timeout") ?? "");
  if (grpc) return new Date(now + Number(grpc[1]) * (GRPC_UNIT_MS[grpc[2] as string] ?? 0));
  return undefined;
}

/**
 * withCallContext builds each call's {@link CallContext} once, at the edge: the request id (the
 * client's when it sent a sane one, so logs and responses agree), the principal (anonymous until
 * an authenticating interceptor replaces it), the deadline, the peer address and a signal that
 * aborts when the client goes away while the call is in flight. The work runs in the call's
 * scope, so database queries and agent calls it starts are cancelled with it.
 */
export function withCallContext(): Interceptor {
  return (next) => async (req) => {
    // The edge has already settled the request id in the header; this keeps tests without the edge consistent.
    const requestId = requestIdOf(req.header);
    req.header.set(REQUEST_ID_HEADER, requestId);
    // Connect aborts the handler's signal when a call ends, also after success; work a call
    // started must only be cancelled when the client leaves before the answer.
    const inFlight = new AbortController();
    const onAbort = () => inFlight.abort(req.signal.reason);
    if (req.signal.aborted) onAbort();
    else req.signal.addEventListener("abort", onAbort, { once: true });
    const deadline = deadlineOf(req.header, Date.now());
    const peer = req.contextValues.get(PEER_ADDRESS);
    const ctx: CallContext = {
      principal: ANONYMOUS,
      requestId,
      signal: inFlight.signal,
      ...(deadline ? { deadline } : {}),
      ...(peer ? { peer } : {}),
    };
    req.contextValues.set(CALL_CONTEXT, ctx);
    let streaming = false;
    try {
      const res = await runInCallScope(ctx, () => next(req));
      streaming = res.stream;
      return res;
    } finally {
      // A stream keeps its cancellation until the connection's signal ends it.
      if (!streaming) req.signal.removeEventListener("abort", onAbort);
    }
  };
}

/** replaceCallContext puts a refined context (the authenticated principal, the audit entry) where handlers find it. */
export function replaceCallContext(values: ContextValues, ctx: CallContext): void {
  values.set(CALL_CONTEXT, ctx);
}

/** callContextOf returns the context the edge built for this call (a bare one when no interceptor ran, as in direct handler tests). */
export function callContextOf(
  handler: HandlerContext | { values: ContextValues; signal: AbortSignal },
): CallContext {
  const ctx = handler.values.get(CALL_CONTEXT);
  return ctx ?? { principal: ANONYMOUS, requestId: randomUUID(), signal: handler.signal };
}
