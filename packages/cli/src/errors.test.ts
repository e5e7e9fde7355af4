import { Code, ConnectError } from "@connectrpc/connect";
import { rpc } from "@limiquantix/api";
import { describe, expect, it } from "vitest";
import { describeFailure } from "./errors";
import { CliError, ExitCode, exitCodeOfConnectCode } from "./exit-codes";

describe("describeFailure", () => {
  it("prints the code, the server's message, each field violation and the request id", () => {
    const error = new ConnectError("spec is invalid", Code.InvalidArgument, undefined, [
      {
        desc: rpc.BadRequestSchema,
        value: { fieldViolations: [{ field: "spec.vcpus", description: "must be at least 1 (got 0)" }] },
      },
      { desc: rpc.RequestInfoSchema, value: { requestId: "req-7" } },
    ]);
    expect(describeFailure(error)).toEqual({
      message: "invalid_argument: spec is invalid",
      details: ["spec.vcpus: must be at least 1 (got 0)", "request id: req-7"],
      exitCode: ExitCode.USAGE,
    });
  });

  it("keeps limiqctl's own failures raised inside a call, with their exit code", () => {
    const inner = new CliError("not signed in", ExitCode.AUTH);
    expect(describeFailure(ConnectError.from(inner))).toMatchObject({
      message: "not signed in",
      exitCode: 3,
    });
  });

  it("says to sign in again on unauthenticated", () => {
    expect(describeFailure(new ConnectError("token expired", Code.Unauthenticated)).message).toBe(
      "unauthenticated: token expired (sign in again with `limiqctl login`)",
    );
  });
});

describe("exitCodeOfConnectCode", () => {
  it("maps every code to the documented exit codes", () => {
    expect(exitCodeOfConnectCode(Code.InvalidArgument)).toBe(2);
    expect(exitCodeOfConnectCode(Code.PermissionDenied)).toBe(3);
    expect(exitCodeOfConnectCode(Code.Unauthenticated)).toBe(3);
    expect(exitCodeOfConnectCode(Code.NotFound)).toBe(4);
    expect(exitCodeOfConnectCode(Code.AlreadyExists)).toBe(5);
    expect(exitCodeOfConnectCode(Code.FailedPrecondition)).toBe(5);
    expect(exitCodeOfConnectCode(Code.Aborted)).toBe(5);
    expect(exitCodeOfConnectCode(Code.Unavailable)).toBe(6);
    expect(exitCodeOfConnectCode(Code.ResourceExhausted)).toBe(6);
    expect(exitCodeOfConnectCode(Code.Internal)).toBe(1);
  });
});
