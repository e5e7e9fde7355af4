import { Code, ConnectError } from "@connectrpc/connect";
import { rpc } from "@limiquantix/api";
import { CliError, ExitCode, type ExitCodeValue, exitCodeOfConnectCode } from "./exit-codes";

/** Failure is what limiqctl prints for an error and the status it exits with. */
export interface Failure {
  readonly message: string;
  readonly details: readonly string[];
  readonly exitCode: ExitCodeValue;
}

/** CODE_NAMES spells Connect codes the way the server's documentation does (snake_case). */
const CODE_NAMES: Record<number, string> = {
  [Code.Canceled]: "canceled",
  [Code.Unknown]: "unknown",
  [Code.InvalidArgument]: "invalid_argument",
  [Code.DeadlineExceeded]: "deadline_exceeded",
  [Code.NotFound]: "not_found",
  [Code.AlreadyExists]: "already_exists",
  [Code.PermissionDenied]: "permission_denied",
  [Code.ResourceExhausted]: "resource_exhausted",
  [Code.FailedPrecondition]: "failed_precondition",
  [Code.Aborted]: "aborted",
  [Code.OutOfRange]: "out_of_range",
  [Code.Unimplemented]: "unimplemented",
  [Code.Internal]: "internal",
  [Code.Unavailable]: "unavailable",
  [Code.DataLoss]: "data_loss",
  [Code.Unauthenticated]: "unauthenticated",
};

/** codeName is the snake_case name of a Connect code, e.g. `not_found`. */
export function codeName(code: Code): string {
  return CODE_NAMES[code] ?? `code ${code}`;
}

/**
 * describeFailure turns any error into what limiqctl prints: the server's message with its code,
 * each field violation (google.rpc.BadRequest), the retry delay and the request id to quote, and a
 * hint for what to do next where there is an obvious one.
 */
export function describeFailure(error: unknown): Failure {
  if (error instanceof CliError)
    return { message: error.message, details: error.details, exitCode: error.exitCode };
  // A failure of limiqctl's own inside a call (no credentials, say) comes back wrapped by Connect.
  if (error instanceof ConnectError && error.cause instanceof CliError) return describeFailure(error.cause);
  if (error instanceof ConnectError) {
    const details: string[] = [];
    for (const bad of error.findDetails(rpc.BadRequestSchema))
      for (const v of bad.fieldViolations) details.push(`${v.field}: ${v.description}`);
    for (const pre of error.findDetails(rpc.PreconditionFailureSchema))
      for (const v of pre.violations) details.push(`${v.subject || v.type}: ${v.description}`);
    const retry = error.findDetails(rpc.RetryInfoSchema)[0]?.retryDelay;
    if (retry) details.push(`retry after ${Number(retry.seconds) + retry.nanos / 1e9}s`);
    const requestId = error.findDetails(rpc.RequestInfoSchema)[0]?.requestId;
    if (requestId) details.push(`request id: ${requestId}`);
    let message = `${codeName(error.code)}: ${error.rawMessage}`;
    if (error.code === Code.Unavailable && /ECONNREFUSED|connect|fetch failed/i.test(error.rawMessage))
      message += " (is the server running at that address?)";
    if (error.code === Code.Unauthenticated) message += " (sign in again with `limiqctl login`)";
    return { message, details, exitCode: exitCodeOfConnectCode(error.code) };
  }
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ECONNREFUSED" || code === "ENOTFOUND")
      return {
        message: `cannot reach the server: ${error.message}`,
        details: [],
        exitCode: ExitCode.UNAVAILABLE,
      };
    return { message: error.message, details: [], exitCode: ExitCode.FAILURE };
  }
  return { message: String(error), details: [], exitCode: ExitCode.FAILURE };
}
