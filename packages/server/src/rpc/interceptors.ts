import type { DescMessage } from "@bufbuild/protobuf";
import type { ConnectError, Interceptor } from "@connectrpc/connect";
import { codeToString } from "@connectrpc/connect/protocol-connect";
import { isDomainError } from "@limiquantix/domain";
import type { Logger } from "pino";
import type { ServerMetrics } from "../observability/metrics";
import { PAGE_WIRE_PATHS, type PathRename, renameViolations } from "./convert/request-fields";
import { REQUEST_ID_HEADER, requestIdOf } from "./edge/request-id";
import { isInternal, toConnectError } from "./error-mapping";
import { mapStream } from "../shared/async-stream";

export { REQUEST_ID_HEADER } from "./edge/request-id";

/** CallOutcome is one finished call as logs and metrics record it. */
export interface CallOutcome {
  /** The service's full name, e.g. `limiquantix.compute.v1.VMService`. */
  readonly service: string;
  /** The method's name, e.g. `GetVM`. */
  readonly method: string;
  readonly requestId: string;
  readonly seconds: number;
  /** The error the client received; absent when the call succeeded. */
  readonly error?: ConnectError;
  /** What the handler threw, when it is not the error itself (logged with unexpected errors). */
  readonly cause?: unknown;
  /** refused says the call was turned away before any interceptor ran: a body too large or that does not decode. */
  readonly refused?: boolean;
}

/**
 * recordCall counts a call in the RPC metrics (labelled by service, method and the code as the
 * wire names it: `ok`, `not_found` …) and logs a failure: an unexpected one as an error with its
 * cause, a refused one as a warning, the others at debug level.
 */
export function recordCall(logger: Logger, metrics: ServerMetrics | undefined, call: CallOutcome): void {
  const code = call.error ? codeToString(call.error.code) : "ok";
  const labels = { service: call.service, method: call.method, code };
  metrics?.rpcRequests.inc(labels);
  metrics?.rpcDuration.observe(labels, call.seconds);
  if (!call.error) return;
  const fields = {
    service: call.service,
    method: call.method,
    requestId: call.requestId,
    code,
    message: call.error.rawMessage,
  };
  if (call.refused) logger.warn(fields, "RPC refused before its handler ran");
  else if (isInternal(call.cause ?? call.error))
    logger.error({ ...fields, err: call.cause ?? call.error }, "unexpected error in RPC handler");
  else logger.debug(fields, "RPC failed");
}

function wireRenamesOf(input: DescMessage): readonly PathRename[] {
  return input.fields.some((f) => f.name === "page_size") ? PAGE_WIRE_PATHS : [];
}

const passThrough = <T>(message: T): T => message;

/**
 * observeCalls gives every call a request id (the client's, when it sent a sane one), maps
 * errors through the one table with the request's wire field names (a list call's page size and
 * cursor are `page_size` and `page_token`), and records each call's count, latency and failure.
 */
export function observeCalls(logger: Logger, metrics?: ServerMetrics): Interceptor {
  return (next) => async (req) => {
    const requestId = requestIdOf(req.header);
    const started = performance.now();
    const call = { service: req.service.typeName, method: req.method.name, requestId };
    const failed = (err: unknown): ConnectError => {
      const renames = wireRenamesOf(req.method.input);
      const wire = isDomainError(err) && renames.length > 0 ? renameViolations(err, renames) : err;
      const out = toConnectError(wire, requestId);
      out.metadata.set(REQUEST_ID_HEADER, requestId);
      recordCall(logger, metrics, {
        ...call,
        seconds: (performance.now() - started) / 1000,
        error: out,
        cause: err,
      });
      return out;
    };
    try {
      const res = await next(req);
      res.header.set(REQUEST_ID_HEADER, requestId);
      if (!res.stream) {
        recordCall(logger, metrics, { ...call, seconds: (performance.now() - started) / 1000 });
        return res;
      }
      // A stream (a watch) fails while it runs, after it opened: its errors take the same path,
      // and it is counted when it ends, its latency being how long it ran.
      return {
        ...res,
        message: mapStream(res.message, passThrough, {
          failed,
          done: () => recordCall(logger, metrics, { ...call, seconds: (performance.now() - started) / 1000 }),
        }),
      };
    } catch (err) {
      throw failed(err);
    }
  };
}
