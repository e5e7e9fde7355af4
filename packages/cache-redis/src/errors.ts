import {
  DomainError,
  ErrorCode,
  internal,
  invalidArgument,
  isDomainError,
  unavailable,
} from "@limiquantix/domain";

// ioredis signals connection trouble with plain Errors whose messages are stable across 5.x;
// node's socket errors carry a code. Both mean "Redis cannot be reached right now".
const CONNECTION_MESSAGES = [
  "Connection is closed",
  "Stream isn't writeable",
  "enableOfflineQueue options is false",
  "Command timed out",
  "connect ETIMEDOUT",
  "Reached the max retries per request limit",
  "Connection is in subscriber mode",
  "LOADING",
  "MASTERDOWN",
  "TRYAGAIN",
  "CLUSTERDOWN",
  "READONLY",
];

const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);

function codeOf(err: Error): string | undefined {
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

/** isRedisConnectionError says whether a driver error means Redis is unreachable or not serving. */
export function isRedisConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = codeOf(err);
  if (code && SOCKET_CODES.has(code)) return true;
  if (err.name === "MaxRetriesPerRequestError") return true;
  return CONNECTION_MESSAGES.some((m) => err.message.includes(m));
}

/**
 * classifyRedisError turns an ioredis error into a DomainError: connection loss, timeouts and
 * a server that is loading or read-only become Unavailable; authentication failures become
 * Unauthenticated; NOPERM becomes PermissionDenied; OOM becomes ResourceExhausted; WRONGTYPE
 * (a key used by something else) becomes FailedPrecondition; anything else is Internal.
 */
export function classifyRedisError(err: unknown, action = "Redis call"): DomainError {
  if (isDomainError(err)) return err;
  if (!(err instanceof Error)) return internal(`${action} failed: ${String(err)}`, err);
  const msg = err.message;
  if (isRedisConnectionError(err)) {
    return unavailable(
      `${action} failed: Redis is unreachable (${msg}); check that Redis is running and reachable, then retry`,
      { retryAfterMs: 1000 },
      err,
    );
  }
  if (msg.startsWith("NOAUTH") || msg.startsWith("WRONGPASS") || msg.includes("invalid password")) {
    return new DomainError(
      ErrorCode.Unauthenticated,
      `${action} failed: Redis refused the credentials (${msg}); check the password in the Redis URL`,
      {},
      { cause: err },
    );
  }
  if (msg.startsWith("NOPERM")) {
    return new DomainError(
      ErrorCode.PermissionDenied,
      `${action} failed: the Redis user lacks a permission (${msg}); grant it in the Redis ACL`,
      {},
      { cause: err },
    );
  }
  if (msg.startsWith("OOM")) {
    return new DomainError(
      ErrorCode.ResourceExhausted,
      `${action} failed: Redis is out of memory (${msg}); raise maxmemory or set an eviction policy`,
      {},
      { cause: err },
    );
  }
  if (msg.startsWith("WRONGTYPE")) {
    return new DomainError(
      ErrorCode.FailedPrecondition,
      `${action} failed: the key holds another kind of value (${msg}); use a key prefix of its own`,
      {},
      { cause: err },
    );
  }
  return internal(`${action} failed: ${msg}`, err);
}

/** requireKey validates a cache, session or limiter key: a non-empty string. */
export function requireKey(field: string, key: unknown): string {
  if (typeof key !== "string" || key.length === 0) {
    throw invalidArgument([{ field, description: "must be a non-empty string" }]);
  }
  return key;
}

/** requirePositiveInt validates a duration or count: a positive safe integer. */
export function requirePositiveInt(field: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw invalidArgument([{ field, description: `must be a positive integer (got ${String(value)})` }]);
  }
  return value;
}
