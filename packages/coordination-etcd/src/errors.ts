import { DomainError, ErrorCode, internal, isDomainError, unavailable } from "@limiquantix/domain";
import {
  ClientClosedError,
  EtcdAuthenticationFailedError,
  EtcdInvalidAuthTokenError,
  EtcdLeaseInvalidError,
  EtcdPermissionDeniedError,
  EtcdWatchStreamEnded,
  GRPCDeadlineExceededError,
  GRPCInvalidArgumentError,
  GRPCResourceExhastedError,
  GRPCUnauthenticatedError,
  isRecoverableError,
} from "etcd3";

// gRPC status codes, for errors that reach us without etcd3's wrapping.
const GRPC_UNAVAILABLE = 14;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_CANCELLED = 1;

function grpcCode(err: Error): number | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === "number" ? code : undefined;
}

// etcd3's fault handling (cockatiel) marks its errors with flags rather than names: an open or
// isolated circuit, and a call its timeout cancelled.
const POLICY_FLAGS = [
  "isBrokenCircuitError",
  "isIsolatedCircuitError",
  "isHydratingCircuitError",
  "isTaskCancelledError",
];
const POLICY_NAMES = [
  "BrokenCircuitError",
  "IsolatedCircuitError",
  "HydratingCircuitError",
  "TaskCancelledError",
];

// What etcd says when it has no quorum or is shutting down (it may reach us as a plain message).
const SERVER_OUTAGE = /etcdserver: (no leader|request timed out|leader changed|server stopped)/i;

/** isEtcdUnreachable says whether an error means etcd cannot be reached, did not answer in time or lost its stream to us. */
export function isEtcdUnreachable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err instanceof GRPCDeadlineExceededError || isRecoverableError(err)) return true;
  // A watch stream that the server closed: etcd stopped or the connection went away.
  if (err instanceof EtcdWatchStreamEnded) return true;
  if (POLICY_NAMES.includes(err.name) || POLICY_FLAGS.some((flag) => flag in err)) return true;
  const code = grpcCode(err);
  if (code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED || code === GRPC_CANCELLED) return true;
  if (SERVER_OUTAGE.test(err.message)) return true;
  return /ECONNREFUSED|ECONNRESET|No connection established|Deadline exceeded|UNAVAILABLE/i.test(err.message);
}

/**
 * classifyEtcdError turns an etcd3 (gRPC) error into a DomainError: an unreachable server, a
 * deadline, an open circuit, a watch stream the server ended or a cluster without a leader
 * becomes Unavailable; a lost lease becomes FailedPrecondition
 * (the grant it backed is gone); authentication and permission failures map to their codes;
 * a server quota (etcd's space alarm) becomes ResourceExhausted; anything else is Internal.
 */
export function classifyEtcdError(err: unknown, action = "etcd call"): DomainError {
  if (isDomainError(err)) return err;
  if (!(err instanceof Error)) return internal(`${action} failed: ${String(err)}`, err);
  const msg = err.message;
  if (err instanceof ClientClosedError) {
    return new DomainError(
      ErrorCode.FailedPrecondition,
      `${action} failed: the etcd client is closed; create a new coordinator`,
      {},
      { cause: err },
    );
  }
  if (err instanceof EtcdLeaseInvalidError) {
    return new DomainError(
      ErrorCode.FailedPrecondition,
      `${action} failed: the etcd lease expired or was revoked (${msg}); acquire again`,
      {},
      { cause: err },
    );
  }
  if (
    err instanceof EtcdAuthenticationFailedError ||
    err instanceof EtcdInvalidAuthTokenError ||
    err instanceof GRPCUnauthenticatedError
  ) {
    return new DomainError(
      ErrorCode.Unauthenticated,
      `${action} failed: etcd refused the credentials (${msg}); check the etcd user name and password`,
      {},
      { cause: err },
    );
  }
  if (err instanceof EtcdPermissionDeniedError) {
    return new DomainError(
      ErrorCode.PermissionDenied,
      `${action} failed: the etcd user lacks a permission (${msg}); grant it a role on the key prefix`,
      {},
      { cause: err },
    );
  }
  if (err instanceof GRPCResourceExhastedError || /database space exceeded/i.test(msg)) {
    return new DomainError(
      ErrorCode.ResourceExhausted,
      `${action} failed: etcd is out of space (${msg}); compact and defragment it`,
      {},
      { cause: err },
    );
  }
  if (isEtcdUnreachable(err)) {
    return unavailable(
      `${action} failed: etcd is unreachable (${msg}); check that etcd is running and reachable, then retry`,
      { retryAfterMs: 1000 },
      err,
    );
  }
  if (err instanceof GRPCInvalidArgumentError)
    return internal(`${action} failed: etcd rejected the request (${msg})`, err);
  return internal(`${action} failed: ${msg}`, err);
}
