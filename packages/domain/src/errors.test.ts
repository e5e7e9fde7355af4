import { describe, expect, it } from "vitest";
import { DomainError, ErrorCode, conflict, invalidArgument, isRetryableCode, notFound, toDomainError } from "./errors";

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
