import { describe, expect, it } from "vitest";
import {
  conflict,
  DOMAIN_ERROR_BRAND,
  DomainError,
  ErrorCode,
  hasErrorCode,
  invalidArgument,
  isDomainError,
  isRetryableCode,
  notFound,
  toDomainError,
} from "./errors";

describe("DomainError", () => {
  it("derives retryability from the code", () => {
    expect(new DomainError(ErrorCode.Unavailable, "down").isRetryable).toBe(true);
    expect(new DomainError(ErrorCode.NotFound, "gone").isRetryable).toBe(false);
    expect(isRetryableCode(ErrorCode.Conflict)).toBe(true);
  });

  it("builds messages that name the resource", () => {
    expect(notFound("VirtualMachine", "vm-1").message).toBe("VirtualMachine vm-1 not found");
    expect(conflict("Node", "n1", 3, 4).message).toContain("resourceVersion 3 is stale (current is 4)");
  });

  it("summarises many field violations", () => {
    const err = invalidArgument([
      { field: "a", description: "x" },
      { field: "b", description: "y" },
      { field: "c", description: "z" },
      { field: "d", description: "w" },
    ]);
    expect(err.message).toBe("a x; b y; c z; and 1 more");
    expect(err.details.fieldViolations).toHaveLength(4);
  });

  it("wraps foreign errors as Internal and keeps DomainErrors", () => {
    const own = notFound("Volume", "v");
    expect(toDomainError(own)).toBe(own);
    const wrapped = toDomainError(new TypeError("boom"));
    expect(wrapped.code).toBe(ErrorCode.Internal);
    expect(wrapped.cause).toBeInstanceOf(TypeError);
  });

  it("serialises to JSON with code and details", () => {
    expect(JSON.parse(JSON.stringify(notFound("Image", "i1")))).toEqual({
      code: "NotFound",
      message: "Image i1 not found",
      details: { resource: { kind: "Image", id: "i1" } },
    });
  });
});

describe("recognising DomainErrors across copies of the package", () => {
  // A second instance of this module, as when one package loads domain's CommonJS build and
  // another its ES module build: same code, distinct classes.
  async function secondCopy(): Promise<typeof import("./errors")> {
    const url = "./errors.ts?second-copy";
    return (await import(/* @vite-ignore */ url)) as typeof import("./errors");
  }

  it("isDomainError, hasErrorCode and instanceof accept an error thrown by another copy", async () => {
    const other = await secondCopy();
    expect(other.DomainError).not.toBe(DomainError);
    const foreign: unknown = other.notFound("Volume", "v1");
    expect(isDomainError(foreign)).toBe(true);
    expect(hasErrorCode(foreign, ErrorCode.NotFound)).toBe(true);
    expect(hasErrorCode(foreign, ErrorCode.Conflict)).toBe(false);
    expect(foreign instanceof DomainError).toBe(true);
    expect(toDomainError(foreign)).toBe(foreign);
    expect(other.isDomainError(notFound("Volume", "v2"))).toBe(true);
  });

  it("accepts an error of a separately built class that carries the brand", () => {
    class ElsewhereDomainError extends Error {
      override readonly name = "DomainError";
      readonly code = ErrorCode.Unavailable;
      readonly details = {};
      get [Symbol.for("limiquantix.DomainError")](): true {
        return true;
      }
    }
    const foreign: unknown = new ElsewhereDomainError("etcd is unreachable");
    expect(isDomainError(foreign)).toBe(true);
    expect(hasErrorCode(foreign, ErrorCode.Unavailable)).toBe(true);
    expect(foreign instanceof DomainError).toBe(true);
  });

  it("refuses look-alikes without the brand, and values that are not objects", () => {
    const lookalike = Object.assign(new Error("x"), { name: "DomainError", code: ErrorCode.NotFound });
    expect(isDomainError(lookalike)).toBe(false);
    expect(lookalike instanceof DomainError).toBe(false);
    expect(isDomainError({ [DOMAIN_ERROR_BRAND]: true })).toBe(false);
    for (const v of [null, undefined, "DomainError", 42]) expect(isDomainError(v)).toBe(false);
    expect(toDomainError(lookalike).code).toBe(ErrorCode.Internal);
  });

  it("keeps the brand out of equality and JSON, and subclasses keep their own instanceof", () => {
    const err = notFound("Image", "i1");
    expect(Object.getOwnPropertySymbols(err)).toEqual([]);
    expect(JSON.parse(JSON.stringify(err))).not.toHaveProperty("limiquantix.DomainError");
    class QuotaError extends DomainError {}
    const quota = new QuotaError(ErrorCode.ResourceExhausted, "quota");
    expect(quota instanceof QuotaError).toBe(true);
    expect(quota instanceof DomainError).toBe(true);
    expect(err instanceof QuotaError).toBe(false);
  });
});
