import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { rpc } from "./index";

describe("google.rpc error details", () => {
  it("export the standard detail types under their googleapis names", () => {
    expect(rpc.BadRequestSchema.typeName).toBe("google.rpc.BadRequest");
    expect(rpc.ErrorInfoSchema.typeName).toBe("google.rpc.ErrorInfo");
    expect(rpc.RetryInfoSchema.typeName).toBe("google.rpc.RetryInfo");
    expect(rpc.RequestInfoSchema.typeName).toBe("google.rpc.RequestInfo");
    expect(rpc.ResourceInfoSchema.typeName).toBe("google.rpc.ResourceInfo");
  });

  it("keep the upstream field numbers, so other languages' generated types read them", () => {
    const violation = rpc.BadRequest_FieldViolationSchema.field;
    expect([violation.field.number, violation.description.number, violation.reason.number]).toEqual([
      1, 2, 3,
    ]);
    expect(rpc.RequestInfoSchema.field.requestId.number).toBe(1);
    const bad = create(rpc.BadRequestSchema, {
      fieldViolations: [{ field: "page_size", description: "must be at most 1000" }],
    });
    expect(
      fromBinary(rpc.BadRequestSchema, toBinary(rpc.BadRequestSchema, bad)).fieldViolations[0]?.field,
    ).toBe("page_size");
    const retry = create(rpc.RetryInfoSchema, { retryDelay: durationFromMs(1500) });
    expect(fromBinary(rpc.RetryInfoSchema, toBinary(rpc.RetryInfoSchema, retry)).retryDelay?.nanos).toBe(
      500_000_000,
    );
  });
});
