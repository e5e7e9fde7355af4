import { Code } from "@connectrpc/connect";

/** ExitCode lists the exit statuses limiqctl documents: scripts may branch on them. */
export const ExitCode = {
  /** The command did what it was asked. */
  OK: 0,
  /** Something failed that no other code describes (an internal error, an unknown answer). */
  FAILURE: 1,
  /** The command line or an input file was wrong, or the server refused an argument (invalid_argument). */
  USAGE: 2,
  /** Not signed in, the session ended, or the role does not allow the call (unauthenticated, permission_denied). */
  AUTH: 3,
  /** The resource does not exist (or is in a project the caller does not belong to). */
  NOT_FOUND: 4,
  /** The resource's state does not allow the call: already exists, changed meanwhile, failed precondition. */
  CONFLICT: 5,
  /** The server could not be reached or could not serve the call now (unavailable, deadline, rate limit). */
  UNAVAILABLE: 6,
  /** Interrupted (Ctrl-C). */
  INTERRUPTED: 130,
} as const;

/** ExitCodeValue is one of the ExitCode numbers. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** exitCodeOfConnectCode maps a Connect error code to the exit status limiqctl ends with. */
export function exitCodeOfConnectCode(code: Code): ExitCodeValue {
  switch (code) {
    case Code.InvalidArgument:
    case Code.OutOfRange:
      return ExitCode.USAGE;
    case Code.Unauthenticated:
    case Code.PermissionDenied:
      return ExitCode.AUTH;
    case Code.NotFound:
      return ExitCode.NOT_FOUND;
    case Code.AlreadyExists:
    case Code.Aborted:
    case Code.FailedPrecondition:
      return ExitCode.CONFLICT;
    case Code.Unavailable:
    case Code.DeadlineExceeded:
    case Code.ResourceExhausted:
      return ExitCode.UNAVAILABLE;
    case Code.Canceled:
      return ExitCode.INTERRUPTED;
    default:
      return ExitCode.FAILURE;
  }
}

/** CliError is a failure limiqctl explains itself: a message, the exit status, and optional detail lines. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.FAILURE,
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** usageError is a CliError for a wrong command line or input file (exit status 2). */
export function usageError(message: string, details: readonly string[] = []): CliError {
  return new CliError(message, ExitCode.USAGE, details);
}
