import { randomUUID } from "node:crypto";
import { Code, type Interceptor } from "@connectrpc/connect";
import type { Logger } from "pino";
import type { ServerMetrics } from "../observability/metrics";
import { isInternal, toConnectError } from "./error-mapping";

/** REQUEST_ID_HEADER carries the request id in both directions. */
export const REQUEST_ID_HEADER = "x-request-id";

/**
 * observeCalls gives every call a request id (the client's, when it sent a sane one), maps
 * errors through the one table, logs failures (unexpected ones with their cause) and records
 * count and latency by method and code.
 */
export function observeCalls(logger: Logger, metrics?: ServerMetrics): Interceptor {
  return (next) => async (req) => {
    const given = req.header.get(REQUEST_ID_HEADER);
    const requestId = given && /^[A-Za-z0-9._-]{1,128}$/.test(given) ? given : randomUUID();
    const method = `${req.service.typeName}/${req.method.name}`;
    const started = performance.now();
    const finish = (code: string) => {
      metrics?.rpcRequests.inc({ method, code });
      metrics?.rpcDuration.observe({ method, code }, (performance.now() - started) / 1000);
    };
    try {
      const res = await next(req);
      res.header.set(REQUEST_ID_HEADER, requestId);
      // A stream counts when it opens; its latency is the time to open it.
      finish("ok");
      return res;
    } catch (err) {
      const out = toConnectError(err, requestId);
      out.metadata.set(REQUEST_ID_HEADER, requestId);
      const code = Code[out.code]?.toLowerCase() ?? "unknown";
      finish(code);
      if (isInternal(err)) logger.error({ err, method, requestId }, "unexpected error in RPC handler");
      else logger.debug({ method, requestId, code, message: out.rawMessage }, "RPC failed");
      throw out;
    }
  };
}
