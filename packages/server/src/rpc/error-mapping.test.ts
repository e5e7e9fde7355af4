import { Code, ConnectError } from "@connectrpc/connect";
import { common } from "@limiquantix/api";
import { DomainError, ERROR_CODES, invalidArgument, notFound } from "@limiquantix/domain";
import { describe, expect, it } from "vitest";
import { CONNECT_CODES, snakePath, toConnectError } from "./error-mapping";

describe("toConnectError", () => {
  it("maps every domain code, a stale version to Aborted", () => {
    for (const code of ERROR_CODES) expect(CONNECT_CODES[code]).toBeTypeOf("number");
    expect(toConnectError(new DomainError("Conflict", "stale"), "r1").code).toBe(Code.Aborted);
    expect(toConnectError(notFound("VirtualMachine", "vm-1"), "r1").code).toBe(Code.NotFound);
  });

  it("attaches ErrorDetails with wire field paths and the request id", () => {
    const err = toConnectError(invalidArgument([{ field: "spec.memory.sizeMib", description: "must be at least 512 (got 1)" }]), "req-7");
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toBe("spec.memory.size_mib must be at least 512 (got 1)");
    const [details] = err.findDetails(common.ErrorDetailsSchema);
    expect(details?.code).toBe("InvalidArgument");
    expect(details?.requestId).toBe("req-7");
    expect(details?.fieldViolations[0]?.field).toBe("spec.memory.size_mib");
  });

  it("hides an unexpected error behind Internal and the request id", () => {
    const err = toConnectError(new TypeError("cannot read properties of undefined (reading 'secret')"), "req-9");
    expect(err.code).toBe(Code.Internal);
    expect(err.rawMessage).toBe("internal error; quote request id req-9 when reporting it");
    expect(err.rawMessage).not.toContain("secret");
  });

  it("passes Connect errors through", () => {
    const original = new ConnectError("deadline", Code.DeadlineExceeded);
    expect(toConnectError(original, "r")).toBe(original);
  });

  it("turns camelCase paths into the wire's snake_case", () => {
    expect(snakePath("spec.dhcp.rangeStart")).toBe("spec.dhcp.range_start");
  });
});
