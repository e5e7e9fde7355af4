import { ErrorCode, failedPrecondition } from "@limiquantix/domain";
import {
  ClientClosedError,
  EtcdAuthenticationFailedError,
  EtcdLeaseInvalidError,
  EtcdError,
  EtcdPermissionDeniedError,
  EtcdWatchStreamEnded,
  GRPCCancelledError,
  GRPCDeadlineExceededError,
  GRPCInternalError,
  GRPCInvalidArgumentError,
  GRPCResourceExhastedError,
  GRPCUnavailableError,
} from "etcd3";
import { describe, expect, it } from "vitest";
import { classifyEtcdError, isEtcdUnreachable } from "./errors";

describe("classifyEtcdError", () => {
  it.each([
    ["an unavailable server", new GRPCUnavailableError("14 UNAVAILABLE: No connection established")],
    ["a deadline", new GRPCDeadlineExceededError("4 DEADLINE_EXCEEDED: Deadline exceeded")],
    ["a refused socket", new Error("connect ECONNREFUSED 127.0.0.1:2379")],
    [
      "an open circuit",
      Object.assign(new Error("Execution prevented because the circuit breaker is open"), {
        name: "BrokenCircuitError",
      }),
    ],
    ["a raw gRPC status 14", Object.assign(new Error("unavailable"), { code: 14 })],
    // What etcd3's watch manager reports when etcd stops: the stream ends without an error.
    ["a watch stream the server ended", new EtcdWatchStreamEnded()],
    ["a cancelled gRPC call", new GRPCCancelledError("1 CANCELLED: Call cancelled")],
    // cockatiel, etcd3's fault handling, marks its errors with flags and leaves `name` as "Error".
    [
      "an open circuit as etcd3 throws it",
      Object.assign(new Error("Execution prevented because the circuit breaker is open"), {
        isBrokenCircuitError: true,
      }),
    ],
    [
      "an isolated circuit",
      Object.assign(new Error("Execution prevented because the circuit breaker is open"), {
        isBrokenCircuitError: true,
        isIsolatedCircuitError: true,
      }),
    ],
    [
      "a call its timeout cancelled",
      Object.assign(new Error("Operation cancelled"), { isTaskCancelledError: true }),
    ],
    ["a cluster without a leader", new EtcdError("etcdserver: no leader")],
    [
      "a request etcd timed out",
      new EtcdError("etcdserver: request timed out, possibly due to previous leader failure"),
    ],
  ])("maps %s to a retryable Unavailable", (_label, err) => {
    const e = classifyEtcdError(err, "lock");
    expect(e.code).toBe(ErrorCode.Unavailable);
    expect(e.isRetryable).toBe(true);
    expect(e.message).toMatch(/^lock failed: etcd is unreachable/);
  });

  it.each([
    [new EtcdLeaseInvalidError("7587"), ErrorCode.FailedPrecondition],
    [new ClientClosedError("KV"), ErrorCode.FailedPrecondition],
    [new EtcdAuthenticationFailedError("authentication failed"), ErrorCode.Unauthenticated],
    [new EtcdPermissionDeniedError("permission denied"), ErrorCode.PermissionDenied],
    [new GRPCResourceExhastedError("etcdserver: mvcc: database space exceeded"), ErrorCode.ResourceExhausted],
    [new GRPCInvalidArgumentError("etcdserver: key is not provided"), ErrorCode.Internal],
  ])("maps %o to %s", (err, code) => {
    expect(classifyEtcdError(err).code).toBe(code);
  });

  it("treats a gRPC INTERNAL status as a transport failure, as etcd3 does", () => {
    expect(classifyEtcdError(new GRPCInternalError("13 INTERNAL: Received RST_STREAM")).code).toBe(
      ErrorCode.Unavailable,
    );
  });

  it("keeps DomainErrors and wraps non-Errors as Internal", () => {
    const original = failedPrecondition("x");
    expect(classifyEtcdError(original)).toBe(original);
    expect(classifyEtcdError(42).code).toBe(ErrorCode.Internal);
  });

  it("does not call a rejected request unreachable", () => {
    expect(isEtcdUnreachable(new GRPCInvalidArgumentError("etcdserver: key is not provided"))).toBe(false);
    expect(isEtcdUnreachable("ECONNREFUSED")).toBe(false);
    expect(isEtcdUnreachable(new EtcdError("etcdserver: mvcc: required revision has been compacted"))).toBe(
      false,
    );
  });
});
