import { DomainError, ErrorCode, fencedOut, isDomainError } from "@limiquantix/domain";

/** DbErrorShape is what pg and PGlite errors carry: a SQLSTATE code and, for constraint violations, the constraint. */
export interface DbErrorShape {
  readonly code?: string;
  readonly constraint?: string;
  readonly table?: string;
  readonly detail?: string;
  readonly message?: string;
}

// Node socket errors and the messages pg and PGlite use when a connection is gone or unusable.
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "ECONNABORTED",
]);
const GONE_MESSAGES = [
  /connection terminated/i,
  /connection error/i,
  /timeout exceeded when trying to connect/i,
  /client was closed/i,
  /cannot use a pool after calling end/i,
  /client has already been connected/i,
  /pglite is closed/i,
  /database is closed/i,
  /not queryable/i,
];

/** sqlStateOf returns the SQLSTATE (or Node error code) of a thrown value, if it has one. */
export function sqlStateOf(error: unknown): string | undefined {
  if (error === null || typeof error !== "object") return undefined;
  const code = (error as DbErrorShape).code;
  return typeof code === "string" ? code : undefined;
}

/**
 * dbErrorCode maps a driver error to a domain error code: constraint violations to AlreadyExists,
 * FailedPrecondition or InvalidArgument, serialization failures and deadlocks to Conflict, lost
 * or refused connections, shutdowns and timeouts to Unavailable, anything else to Internal.
 */
export function dbErrorCode(error: unknown): ErrorCode {
  if (isDomainError(error)) return error.code;
  const state = sqlStateOf(error);
  if (state !== undefined) {
    if (state === "23505") return ErrorCode.AlreadyExists;
    if (state === "23503" || state === "23001") return ErrorCode.FailedPrecondition;
    if (state === "23502" || state === "23514" || state.startsWith("22")) return ErrorCode.InvalidArgument;
    if (state === "40001" || state === "40P01") return ErrorCode.Conflict;
    if (state === "55P03") return ErrorCode.Conflict;
    if (state.startsWith("08")) return ErrorCode.Unavailable;
    if (state === "57P01" || state === "57P02" || state === "57P03" || state === "57014")
      return ErrorCode.Unavailable;
    if (state === "53300" || state === "53400") return ErrorCode.Unavailable;
    if (NETWORK_CODES.has(state)) return ErrorCode.Unavailable;
  }
  const message = error instanceof Error ? error.message : typeof error === "string" ? error : "";
  if (GONE_MESSAGES.some((re) => re.test(message))) return ErrorCode.Unavailable;
  return ErrorCode.Internal;
}

const ADVICE: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.Unavailable]: "the database cannot be reached or is shutting down; retry shortly",
  [ErrorCode.Conflict]: "a concurrent transaction got in the way; read again and retry",
};

/** FENCE_SQLSTATE is what lqx_fence raises for a write under a token older than its office's newest (migration 10). */
export const FENCE_SQLSTATE = "LQXF1";

/** fenceRefusal turns lqx_fence's exception into the domain's fencedOut error, or returns undefined for any other error. */
function fenceRefusal(error: unknown): DomainError | undefined {
  if (sqlStateOf(error) !== FENCE_SQLSTATE) return undefined;
  try {
    const d = JSON.parse((error as DbErrorShape).detail ?? "") as {
      name: string;
      token: number;
      newestToken: number;
    };
    return fencedOut({ name: d.name, token: Number(d.token) }, Number(d.newestToken));
  } catch {
    return new DomainError(
      ErrorCode.FailedPrecondition,
      (error as DbErrorShape).message ?? "write refused by its fence",
      {
        reason: "fenced",
      },
    );
  }
}

/**
 * classifyDbError turns any error thrown by a driver into a DomainError with the code of
 * dbErrorCode, keeping the driver error as the cause and its SQLSTATE and constraint as details.
 */
export function classifyDbError(error: unknown, action = "database call"): DomainError {
  if (isDomainError(error)) return error;
  const fenced = fenceRefusal(error);
  if (fenced) return fenced;
  const code = dbErrorCode(error);
  const shape = (error !== null && typeof error === "object" ? error : {}) as DbErrorShape;
  const text = error instanceof Error ? error.message : String(error);
  const advice = ADVICE[code];
  const details: Record<string, unknown> = {};
  if (shape.code !== undefined) details.sqlState = shape.code;
  if (shape.constraint !== undefined) details.constraint = shape.constraint;
  if (code === ErrorCode.Unavailable) details.retryAfterMs = 1000;
  return new DomainError(code, `${action} failed: ${text}${advice ? ` (${advice})` : ""}`, details, {
    cause: error,
  });
}
