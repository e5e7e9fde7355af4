import { DomainError, ErrorCode, internal, isDomainError, unavailable } from "@limiquantix/domain";
import {
  ClientClosedError,
  EtcdAuthenticationFailedError,
  EtcdInvalidAuthTokenError,
  EtcdLeaseInvalidError,
  EtcdPermissionDeniedError,
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

/** isEtcdUnreachable says whether an error means etcd cannot be reached or did not answer in time. */
export function isEtcdUnreachable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err instanceof GRPCDeadlineExceededError || isRecoverableError(err)) return true;
  if (err.name === "BrokenCircuitError" || err.name === "TaskCancelledError") return true;
  const code = grpcCode(err);
  if (code === GRPC_UNAVAILABLE || code === GRPC_DEADLINE_EXCEEDED || code === GRPC_CANCELLED) return true;
  return /ECONNREFUSED|ECONNRESET|No connection established|Deadline exceeded|UNAVAILABLE/i.test(err.message);
}

/**
 * classifyEtcdError turns an etcd3 (gRPC) error into a DomainError: an unreachable server, a
 * deadline or an open circuit becomes Unavailable; a lost lease becomes FailedPrecondition
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
