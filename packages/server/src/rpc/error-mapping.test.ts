import { Code, ConnectError } from "@connectrpc/connect";
import { CONNECT_CODES } from "@limiquantix/agent-client";
import { common, rpc } from "@limiquantix/api";
import {
  DomainError,
  ERROR_CODES,
  failedPrecondition,
  invalidArgument,
  notFound,
  unavailable,
} from "@limiquantix/domain";
import { describe, expect, it } from "vitest";
import { snakePath, toConnectError } from "./error-mapping";

describe("toConnectError", () => {
  it("takes every Connect code from the one table the agent client shares, a stale version Aborted", () => {
    for (const code of ERROR_CODES)
      expect(toConnectError(new DomainError(code, "x"), "r1").code, code).toBe(CONNECT_CODES[code]);
    expect(toConnectError(new DomainError("Conflict", "stale"), "r1").code).toBe(Code.Aborted);
    expect(toConnectError(notFound("VirtualMachine", "vm-1"), "r1").code).toBe(Code.NotFound);
  });

  it("attaches google.rpc BadRequest with wire field paths, ErrorInfo and RequestInfo", () => {
    const err = toConnectError(
      invalidArgument([{ field: "spec.memory.sizeMib", description: "must be at least 512 (got 1)" }]),
      "req-7",
    );
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toBe("spec.memory.size_mib must be at least 512 (got 1)");
    expect(err.findDetails(rpc.BadRequestSchema)[0]?.fieldViolations).toEqual([
      expect.objectContaining({ field: "spec.memory.size_mib", description: "must be at least 512 (got 1)" }),
    ]);
    expect(err.findDetails(rpc.ErrorInfoSchema)[0]).toMatchObject({
      reason: "INVALID_ARGUMENT",
      domain: "limiquantix",
    });
    expect(err.findDetails(rpc.RequestInfoSchema)[0]?.requestId).toBe("req-7");
  });

  it("names the resource in ResourceInfo and the retry hint in RetryInfo", () => {
    const missing = toConnectError(notFound("VirtualMachine", "vm-1"), "r2");
    expect(missing.findDetails(rpc.ResourceInfoSchema)[0]).toMatchObject({
      resourceType: "VirtualMachine",
      resourceName: "vm-1",
    });
    const busy = toConnectError(
      unavailable("agent of node n1 is unreachable", { retryAfterMs: 1500, node: "n1" }),
      "r3",
    );
    expect(busy.findDetails(rpc.RetryInfoSchema)[0]?.retryDelay).toMatchObject({
      seconds: 1n,
      nanos: 500_000_000,
    });
    expect(busy.findDetails(rpc.ErrorInfoSchema)[0]?.metadata).toEqual({ node: "n1" });
  });

  it("lists the broken preconditions in PreconditionFailure, keeping them out of ErrorInfo's metadata", () => {
    const err = toConnectError(
      failedPrecondition("HA admission control refused it", {
        policy: "tolerate-host-failures",
        preconditionViolations: [
          { type: "HA_ADMISSION_CONTROL", subject: "clusters/c1", description: "8 GiB short" },
        ],
      }),
      "r4",
    );
    expect(err.code).toBe(Code.FailedPrecondition);
    expect(err.findDetails(rpc.PreconditionFailureSchema)[0]?.violations).toEqual([
      expect.objectContaining({
        type: "HA_ADMISSION_CONTROL",
        subject: "clusters/c1",
        description: "8 GiB short",
      }),
    ]);
    expect(err.findDetails(rpc.ErrorInfoSchema)[0]?.metadata).toEqual({ policy: "tolerate-host-failures" });
    expect(toConnectError(failedPrecondition("x"), "r5").findDetails(rpc.PreconditionFailureSchema)).toEqual(
      [],
    );
  });

  it("keeps the limiquantix ErrorDetails for clients that read them", () => {
    const [details] = toConnectError(
      invalidArgument([{ field: "name", description: "is required" }]),
      "req-8",
    ).findDetails(common.ErrorDetailsSchema);
    expect(details).toMatchObject({ code: "InvalidArgument", requestId: "req-8" });
    expect(details?.fieldViolations[0]?.field).toBe("name");
  });

  it("hides an unexpected error behind Internal and the request id", () => {
    const err = toConnectError(
      new TypeError("cannot read properties of undefined (reading 'secret')"),
      "req-9",
    );
    expect(err.code).toBe(Code.Internal);
    expect(err.rawMessage).toBe("internal error; quote request id req-9 when reporting it");
    expect(err.rawMessage).not.toContain("secret");
    expect(err.cause).toBeUndefined();
    expect(err.findDetails(rpc.RequestInfoSchema)[0]?.requestId).toBe("req-9");
  });

  it("keeps a Connect error's code and message, adding the details it lacks", () => {
    const original = new ConnectError("deadline", Code.DeadlineExceeded);
    const out = toConnectError(original, "r");
    expect([out.code, out.rawMessage]).toEqual([Code.DeadlineExceeded, "deadline"]);
    expect(out.findDetails(rpc.ErrorInfoSchema)[0]?.reason).toBe("DEADLINE_EXCEEDED");
    const detailed = toConnectError(out, "r");
    expect(detailed).toBe(out);
  });

  it("turns camelCase paths into the wire's snake_case", () => {
    expect(snakePath("spec.dhcp.rangeStart")).toBe("spec.dhcp.range_start");
  });
});
