import { DomainError, ErrorCode, invalidArgument } from "@limiquantix/domain";
import { describe, expect, it } from "vitest";
import { classifyRedisError, isRedisConnectionError, requireKey, requirePositiveInt } from "./errors";

function socketError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:6379`), { code });
}

describe("classifyRedisError", () => {
  it.each([
    ["refused connection", socketError("ECONNREFUSED")],
    ["reset connection", socketError("ECONNRESET")],
    ["closed connection", new Error("Connection is closed.")],
    ["offline queue disabled", new Error("Stream isn't writeable and enableOfflineQueue options is false")],
    ["command timeout", new Error("Command timed out")],
    [
      "retries exhausted",
      Object.assign(new Error("Reached the max retries per request limit (which is 1)."), {
        name: "MaxRetriesPerRequestError",
      }),
    ],
    ["server loading", new Error("LOADING Redis is loading the dataset in memory")],
    ["read-only replica", new Error("READONLY You can't write against a read only replica.")],
  ])("maps %s to a retryable Unavailable", (_label, err) => {
    const e = classifyRedisError(err, "cache get");
    expect(e.code).toBe(ErrorCode.Unavailable);
    expect(e.isRetryable).toBe(true);
    expect(e.message).toMatch(/^cache get failed: Redis is unreachable/);
    expect(e.cause).toBe(err);
  });

  it.each([
    ["NOAUTH Authentication required.", ErrorCode.Unauthenticated],
    ["WRONGPASS invalid username-password pair or user is disabled.", ErrorCode.Unauthenticated],
    ["NOPERM this user has no permissions to run the 'get' command", ErrorCode.PermissionDenied],
    ["OOM command not allowed when used memory > 'maxmemory'.", ErrorCode.ResourceExhausted],
    ["WRONGTYPE Operation against a key holding the wrong kind of value", ErrorCode.FailedPrecondition],
    ["ERR unknown command 'FOO'", ErrorCode.Internal],
  ])("maps the reply %s to %s", (message, code) => {
    expect(classifyRedisError(new Error(message)).code).toBe(code);
  });

  it("keeps a DomainError as it is", () => {
    const original = invalidArgument([{ field: "key", description: "must be a non-empty string" }]);
    expect(classifyRedisError(original)).toBe(original);
  });

  it("turns a thrown non-Error into Internal", () => {
    const e = classifyRedisError("boom");
    expect(e).toBeInstanceOf(DomainError);
    expect(e.code).toBe(ErrorCode.Internal);
  });

  it("does not call a reply error a connection error", () => {
    expect(isRedisConnectionError(new Error("ERR syntax error"))).toBe(false);
    expect(isRedisConnectionError("ECONNREFUSED")).toBe(false);
  });
});

describe("input validation", () => {
  it("rejects an empty key, naming the field", () => {
    expect(() => requireKey("key", "")).toThrow(/key must be a non-empty string/);
    expect(() => requireKey("key", 42)).toThrow(DomainError);
  });

  it("rejects zero, negative and fractional durations", () => {
    for (const v of [0, -5, 1.5, Number.NaN, "10"]) {
      expect(() => requirePositiveInt("ttlMs", v)).toThrow(/ttlMs must be a positive integer/);
    }
    expect(requirePositiveInt("ttlMs", 1000)).toBe(1000);
  });
});
