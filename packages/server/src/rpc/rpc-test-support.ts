import { Code, ConnectError } from "@connectrpc/connect";
import { common } from "@limiquantix/api";
import { expect } from "vitest";

/** RpcFailure is what a failed call told the client: its Connect code, message and ErrorDetails. */
export interface RpcFailure {
  readonly code: Code;
  readonly message: string;
  readonly details: common.ErrorDetails | undefined;
  /** fields lists the field violations' paths. */
  readonly fields: readonly string[];
  /** error is the ConnectError the client received. */
  readonly error: ConnectError;
}

/** rpcFailure awaits a call that must fail and returns what the client saw. */
export async function rpcFailure(call: Promise<unknown>): Promise<RpcFailure> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, "expected the call to fail").toBeInstanceOf(ConnectError);
  const ce = err as ConnectError;
  const details = ce.findDetails(common.ErrorDetailsSchema)[0];
  return {
    code: ce.code,
    message: ce.rawMessage,
    details,
    fields: details?.fieldViolations.map((v) => v.field) ?? [],
    error: ce,
  };
}

/** expectCode asserts that a call fails with a Connect code (and, when given, a message matching a pattern). */
export async function expectCode(call: Promise<unknown>, code: Code, message?: RegExp): Promise<RpcFailure> {
  const f = await rpcFailure(call);
  expect(Code[f.code], f.message).toBe(Code[code]);
  if (message) expect(f.message).toMatch(message);
  return f;
}

/** expectInvalidField asserts InvalidArgument whose ErrorDetails name the given wire field. */
export async function expectInvalidField(call: Promise<unknown>, field: string): Promise<RpcFailure> {
  const f = await expectCode(call, Code.InvalidArgument);
  expect(f.details?.code).toBe("InvalidArgument");
  expect(f.fields).toContain(field);
  return f;
}

/**
 * expectRpcError awaits a call that must fail with the given Connect code and ErrorDetails carrying
 * a request id; when field is given, the details must carry a field violation naming it. It returns
 * the error.
 */
export async function expectRpcError(
  call: Promise<unknown>,
  code: Code,
  field?: string,
): Promise<ConnectError> {
  const f = await expectCode(call, code);
  expect(f.details, "expected ErrorDetails on the error").toBeDefined();
  expect(f.details?.requestId).not.toBe("");
  if (field !== undefined) expect(f.fields).toContain(field);
  return f.error;
}
