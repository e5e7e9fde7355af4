import { Code, ConnectError } from "@connectrpc/connect";
import { common } from "@limiquantix/api";
import { expect } from "vitest";

/**
 * expectRpcError awaits a call that must fail with the given Connect code and ErrorDetails; when
 * field is given, the details must carry a field violation naming it. It returns the error.
 */
export async function expectRpcError(
  call: Promise<unknown>,
  code: Code,
  field?: string,
): Promise<ConnectError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, "expected the call to fail").toBeInstanceOf(ConnectError);
  const ce = err as ConnectError;
  expect(Code[ce.code], ce.rawMessage).toBe(Code[code]);
  const [details] = ce.findDetails(common.ErrorDetailsSchema);
  expect(details, "expected ErrorDetails on the error").toBeDefined();
  expect(details?.requestId).not.toBe("");
  if (field !== undefined) expect(details?.fieldViolations.map((v) => v.field)).toContain(field);
  return ce;
}
