import { Code, ConnectError } from "@connectrpc/connect";
import {
  DomainError,
  type ErrorCode,
  type ErrorDetails,
  isDomainError,
  unavailable,
} from "@limiquantix/domain";

/** ERROR_DETAILS_HEADER carries a DomainError's structured details (field violations …) as JSON beside the status. */
export const ERROR_DETAILS_HEADER = "x-limiquantix-error-details";

const FROM_CONNECT: Partial<Record<Code, ErrorCode>> = {
  [Code.NotFound]: "NotFound",
  [Code.AlreadyExists]: "AlreadyExists",
  [Code.InvalidArgument]: "InvalidArgument",
  [Code.OutOfRange]: "InvalidArgument",
  [Code.FailedPrecondition]: "FailedPrecondition",
  [Code.Aborted]: "Conflict",
  [Code.ResourceExhausted]: "ResourceExhausted",
  [Code.Unauthenticated]: "Unauthenticated",
  [Code.PermissionDenied]: "PermissionDenied",
  [Code.Unavailable]: "Unavailable",
  [Code.DeadlineExceeded]: "Unavailable",
  [Code.Internal]: "Internal",
  [Code.DataLoss]: "Internal",
  [Code.Unimplemented]: "Internal",
};

/**
 * CONNECT_CODES is the one table that turns domain error codes into Connect codes, used by the
 * agent protocol here and by the control plane's public API.
 */
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

function parseDetails(error: ConnectError): ErrorDetails {
  const raw = error.metadata.get(ERROR_DETAILS_HEADER);
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
    return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)
      ? (parsed as ErrorDetails)
      : {};
  } catch {
    return {};
  }
}

/**
 * agentErrorToDomain turns whatever an agent call threw into a DomainError. Connect codes map to the
 * domain code of the same name; network failures, TLS refusals, cancellations and deadlines become
 * Unavailable, since the agent could not be reached in time.
 */
export function agentErrorToDomain(error: unknown, nodeId: string, method: string): DomainError {
  if (isDomainError(error)) return error;
  const ce = ConnectError.from(error);
  // A cause with a Node error code (ECONNREFUSED, ERR_TLS_CERT_ALTNAME_INVALID …) means the
  // connection failed on this side, whatever code the transport chose to report.
  const local = typeof (ce.cause as { code?: unknown } | undefined)?.code === "string";
  const code = local ? "Unavailable" : FROM_CONNECT[ce.code];
  const where = `agent of node ${nodeId} (${method})`;
  if (code === undefined || code === "Unavailable")
    return unavailable(`${where} is unreachable: ${ce.rawMessage}`, { node: nodeId, method }, error);
  return new DomainError(code, ce.rawMessage, { ...parseDetails(ce), node: nodeId }, { cause: error });
}

/** domainErrorToConnect turns a DomainError (or anything thrown) into a ConnectError for the wire. */
export function domainErrorToConnect(error: unknown): ConnectError {
  if (error instanceof ConnectError) return error;
  if (!isDomainError(error))
    return new ConnectError(error instanceof Error ? error.message : String(error), Code.Internal);
  const metadata = new Headers();
  // Base64 because header values must be ASCII and messages are not.
  if (Object.keys(error.details).length > 0)
    metadata.set(
      ERROR_DETAILS_HEADER,
      Buffer.from(JSON.stringify(error.details), "utf8").toString("base64url"),
    );
  return new ConnectError(error.message, CONNECT_CODES[error.code], metadata);
}
