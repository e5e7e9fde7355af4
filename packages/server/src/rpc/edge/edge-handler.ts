import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { JsonReadOptions, JsonWriteOptions } from "@bufbuild/protobuf";
import {
  Code,
  ConnectError,
  type ConnectRouter,
  type ContextValues,
  createConnectRouter,
  createContextValues,
  type Interceptor,
} from "@connectrpc/connect";
import type { UniversalHandler, UniversalServerResponse } from "@connectrpc/connect/protocol";
import {
  compressionBrotli,
  compressionGzip,
  universalRequestFromNodeRequest,
  universalResponseToNodeResponse,
} from "@connectrpc/connect-node";
import type { RequestHandler } from "../../http/one-port-server";
import { errorDetails } from "../error-mapping";
import { EDGE_CALL, type EdgeCall, type EdgeDecoding, edgeInterceptor, refusalOf } from "./edge-call";
import { REQUEST_ID_HEADER, requestIdOf } from "./request-id";
import { RetainedBody } from "./retained-body";
import { failureOf, renderError, wireFormatOf } from "./wire-protocol";

/** STRICT_JSON refuses JSON requests with fields or enum names the API does not have, instead of dropping them. */
export const STRICT_JSON: Partial<JsonReadOptions & JsonWriteOptions> = { ignoreUnknownFields: false };

/** RefusedCall is a call turned away before any interceptor ran, as the edge reports it. */
export interface RefusedCall {
  readonly service: string;
  readonly method: string;
  readonly requestId: string;
  readonly seconds: number;
  readonly error: ConnectError;
}

/** EdgeHandlerOptions configure the edge. */
export interface EdgeHandlerOptions {
  readonly routes: (router: ConnectRouter) => void;
  readonly interceptors: readonly Interceptor[];
  /** Largest request body (and message, after decompression), in bytes. */
  readonly maxRequestBytes: number;
  readonly shutdownSignal?: AbortSignal;
  readonly maxTimeoutMs?: number;
  /** Serves every path that is not an RPC. */
  readonly fallback?: RequestHandler;
  /** Hears of every call refused before any interceptor ran (for logs and metrics). */
  readonly onRefused?: (call: RefusedCall) => void;
  /** Gives the context values a call starts with (the peer's address, for instance), as connectNodeAdapter's option does. */
  readonly contextValues?: (req: IncomingMessage | Http2ServerRequest) => ContextValues;
  /** Hears of a response that could not be written for another reason than the client leaving. */
  readonly onError?: (reason: unknown, requestPath: string) => void;
}

function notFound(
  _req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
): void {
  res.writeHead(404);
  res.end();
}

function contentLengthOf(header: Headers): number | undefined {
  const value = header.get("content-length");
  return value !== null && /^\d+$/.test(value) ? Number(value) : undefined;
}

function tooLarge(declared: number, maxRequestBytes: number, requestId: string): ConnectError {
  return new ConnectError(
    `the request body is ${declared} bytes, more than the ${maxRequestBytes} this server accepts`,
    Code.ResourceExhausted,
    { [REQUEST_ID_HEADER]: requestId },
    errorDetails({
      reason: "ResourceExhausted",
      requestId,
      metadata: { maxRequestBytes: String(maxRequestBytes) },
    }),
  );
}

/**
 * createEdgeHandler serves Connect, gRPC and gRPC-Web from one Node request handler, like
 * connectNodeAdapter, and owns what happens before a request reaches the interceptors:
 *
 * - every call gets a request id (the client's sane `x-request-id`, else a fresh one), set on the
 *   request so every interceptor reads the same one, and on the response;
 * - a body whose Content-Length is over maxRequestBytes is answered ResourceExhausted before a
 *   byte of it is read; bodies without a length, and every message after decompression, are held
 *   to the same limit while they are read;
 * - JSON with unknown fields or enum names is refused;
 * - a call that fails before the interceptors (a body that does not decompress or decode, one too
 *   large, a malformed header) is answered in its protocol with the request id and the standard
 *   details, as InvalidArgument naming the fields at fault when the body does not decode, and is
 *   reported to onRefused, so such calls are logged and counted like the others.
 */
export function createEdgeHandler(options: EdgeHandlerOptions): RequestHandler {
  const decoding: EdgeDecoding = {
    compressions: [compressionGzip, compressionBrotli],
    readMaxBytes: options.maxRequestBytes,
  };
  const router = createConnectRouter({
    interceptors: [edgeInterceptor(decoding), ...options.interceptors],
    acceptCompression: [...decoding.compressions],
    readMaxBytes: options.maxRequestBytes,
    jsonOptions: STRICT_JSON,
    ...(options.shutdownSignal ? { shutdownSignal: options.shutdownSignal } : {}),
    ...(options.maxTimeoutMs ? { maxTimeoutMs: options.maxTimeoutMs } : {}),
  });
  options.routes(router);
  const paths = new Map<string, UniversalHandler>(router.handlers.map((h) => [h.requestPath, h]));
  const fallback = options.fallback ?? notFound;

  async function serve(
    handler: UniversalHandler,
    req: IncomingMessage | Http2ServerRequest,
    res: ServerResponse | Http2ServerResponse,
  ) {
    const started = performance.now();
    const contextValues = options.contextValues?.(req) ?? createContextValues();
    const uReq = universalRequestFromNodeRequest(req, res, undefined, contextValues);
    const requestId = requestIdOf(uReq.header);
    uReq.header.set(REQUEST_ID_HEADER, requestId);
    const format = wireFormatOf(uReq);
    const body =
      typeof uReq.body === "object" && uReq.body !== null && Symbol.asyncIterator in uReq.body
        ? new RetainedBody(uReq.body as AsyncIterable<Uint8Array>, options.maxRequestBytes)
        : undefined;
    const call: EdgeCall = { requestId, url: uReq.url, format, body, entered: false };
    contextValues.set(EDGE_CALL, call);
    const refuse = (error: ConnectError) =>
      options.onRefused?.({
        service: handler.service.typeName,
        method: handler.method.name,
        requestId,
        seconds: (performance.now() - started) / 1000,
        error,
      });

    let uRes: UniversalServerResponse;
    const declared = contentLengthOf(uReq.header);
    if (format && declared !== undefined && declared > options.maxRequestBytes) {
      const error = tooLarge(declared, options.maxRequestBytes, requestId);
      uRes = renderError(format.protocol, uReq, error, STRICT_JSON);
      refuse(error);
    } else {
      uRes = await handler(body ? { ...uReq, body } : uReq);
      // A call the interceptors never saw failed while its request was read or decoded.
      if (!call.entered) {
        const failed = await failureOf(format?.protocol ?? "connect", uRes, decoding.compressions);
        uRes = failed.response;
        if (failed.error && format) {
          const error = await refusalOf(call, handler.method.input, failed.error, decoding);
          uRes = renderError(format.protocol, uReq, error, STRICT_JSON);
          refuse(error);
        } else if (failed.error) refuse(failed.error);
      }
      body?.release();
    }
    // Connect's canned answers (415, 405) share their headers between calls, so they are copied.
    const header = new Headers(uRes.header);
    header.set(REQUEST_ID_HEADER, requestId);
    await universalResponseToNodeResponse({ ...uRes, header }, res);
  }

  return (req, res) => {
    const handler = paths.get(req.url?.split("?", 1)[0] ?? "");
    if (!handler) {
      fallback(req, res);
      return;
    }
    serve(handler, req, res).catch((reason: unknown) => {
      // A client that went away needs no answer.
      if (ConnectError.from(reason).code === Code.Aborted) return;
      options.onError?.(reason, handler.requestPath);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  };
}
