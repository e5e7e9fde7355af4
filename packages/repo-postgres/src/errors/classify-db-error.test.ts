import { DomainError, notFound } from "@limiquantix/domain";
import { describe, expect, it } from "vitest";
import { classifyDbError, dbErrorCode } from "./classify-db-error";

const pgError = (code: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`pg error ${code}`), { code, ...extra });

describe("dbErrorCode", () => {
  it.each([
    ["23505", "AlreadyExists"],
    ["23503", "FailedPrecondition"],
    ["23001", "FailedPrecondition"],
    ["23502", "InvalidArgument"],
    ["23514", "InvalidArgument"],
    ["22P02", "InvalidArgument"],
    ["40001", "Conflict"],
    ["40P01", "Conflict"],
    ["08006", "Unavailable"],
    ["08001", "Unavailable"],
    ["57P01", "Unavailable"],
    ["57P03", "Unavailable"],
    ["57014", "Unavailable"],
    ["53300", "Unavailable"],
    ["42P01", "Internal"],
  ])("maps SQLSTATE %s to %s", (state, code) => {
    expect(dbErrorCode(pgError(state))).toBe(code);
  });

  it.each([
    "ECONNREFUSED",
    "ECONNRESET",
    "ETIMEDOUT",
    "EPIPE",
    "ENOTFOUND",
  ])("maps the socket error %s to Unavailable", (code) => {
    expect(dbErrorCode(pgError(code))).toBe("Unavailable");
  });

  it.each([
    "Connection terminated unexpectedly",
    "timeout exceeded when trying to connect",
    "Client was closed and is not queryable",
    "Cannot use a pool after calling end on the pool",
    "PGlite is closed",
  ])("maps the driver message %j to Unavailable", (message) => {
    expect(dbErrorCode(new Error(message))).toBe("Unavailable");
  });

  it("keeps the code of a DomainError and calls anything unknown Internal", () => {
    expect(dbErrorCode(notFound("VirtualMachine", "vm-1"))).toBe("NotFound");
    expect(dbErrorCode(new Error("something odd"))).toBe("Internal");
    expect(dbErrorCode("a string")).toBe("Internal");
    expect(dbErrorCode(undefined)).toBe("Internal");
  });
});

describe("classifyDbError", () => {
  it("wraps a driver error with its SQLSTATE, constraint and cause", () => {
    const cause = pgError("23505", { constraint: "projects_name_key" });
    const error = classifyDbError(cause, "Project write");
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe("AlreadyExists");
    expect(error.message).toContain("Project write failed");
    expect(error.details.sqlState).toBe("23505");
    expect(error.details.constraint).toBe("projects_name_key");
    expect(error.cause).toBe(cause);
  });

  it("marks a lost connection retryable and says to retry", () => {
    const error = classifyDbError(pgError("ECONNRESET"));
    expect(error.code).toBe("Unavailable");
    expect(error.isRetryable).toBe(true);
    expect(error.message).toContain("retry");
    expect(error.details.retryAfterMs).toBeGreaterThan(0);
  });

  it("returns a DomainError unchanged", () => {
    const original = notFound("Node", "n1");
    expect(classifyDbError(original)).toBe(original);
  });
});
