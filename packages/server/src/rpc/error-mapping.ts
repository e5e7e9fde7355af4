import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { common } from "@limiquantix/api";
import { type DomainError, type ErrorCode, isDomainError } from "@limiquantix/domain";

/** CONNECT_CODES is the one table that turns domain error codes into Connect codes. */
export const CONNECT_CODES: Readonly<Record<ErrorCode, Code>> = {
  NotFound: Code.NotFound,
  AlreadyExists: Code.AlreadyExists,
  InvalidArgument: Code.InvalidArgument,
  FailedPrecondition: Code.FailedPrecondition,
  // gRPC's convention for a lost optimistic-concurrency race: re-read and retry.
  Conflict: Code.Aborted,
  ResourceExhausted: Code.ResourceExhausted,
  Unauthenticated: Code.Unauthenticated,
  PermissionDenied: Code.PermissionDenied,
  Unavailable: Code.Unavailable,
  Internal: Code.Internal,
};

/** snakePath turns a domain field path (`spec.memory.sizeMib`) into the wire's (`spec.memory.size_mib`). */
export function snakePath(path: string): string {
  return path.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

function details(err: DomainError, requestId: string) {
  const d = err.details;
  return create(common.ErrorDetailsSchema, {
    code: err.code,
    fieldViolations: (d.fieldViolations ?? []).map((v) => ({
      field: snakePath(v.field),
      description: v.description,
    })),
    ...(d.resource ? { resource: { kind: d.resource.kind, id: d.resource.id ?? "", name: d.resource.name ?? "" } } : {}),
    retryAfterMs: d.retryAfterMs ?? 0,
    requestId,
  });
}

/**
 * toConnectError turns anything thrown by a handler into the error the client sees: domain
 * errors keep their message and gain ErrorDetails; Connect errors pass through; anything else
 * becomes Internal with only the request id, so internals never leak.
 */
export function toConnectError(err: unknown, requestId: string): ConnectError {
  if (err instanceof ConnectError) return err;
  if (isDomainError(err)) {
    const message = err.code === "InvalidArgument" ? snakeMessage(err) : err.message;
    return new ConnectError(message, CONNECT_CODES[err.code], undefined, [
      { desc: common.ErrorDetailsSchema, value: details(err, requestId) },
    ]);
  }
  return new ConnectError(`internal error; quote request id ${requestId} when reporting it`, Code.Internal, undefined, [
    { desc: common.ErrorDetailsSchema, value: create(common.ErrorDetailsSchema, { code: "Internal", requestId }) },
  ]);
}

function snakeMessage(err: DomainError): string {
  let message = err.message;
  for (const v of err.details.fieldViolations ?? []) message = message.replace(v.field, snakePath(v.field));
  return message;
}

/** isInternal says whether an error will reach the client as Internal (and so must be logged with its cause). */
export function isInternal(err: unknown): boolean {
  if (err instanceof ConnectError) return err.code === Code.Internal;
  return !isDomainError(err) || err.code === "Internal";
}
