import type { ConnectRouter, Interceptor } from "@connectrpc/connect";
import type { Logger } from "pino";
import type { RequestHandler } from "../http/one-port-server";
import type { ServerMetrics } from "../observability/metrics";
import { createEdgeHandler, type EdgeHandlerOptions } from "./edge/edge-handler";
import { validateRequests } from "./edge/validate-requests";
import { observeCalls, recordCall } from "./interceptors";

/** DEFAULT_MAX_REQUEST_BYTES is the largest request body a server accepts unless told otherwise: 4 MiB, gRPC's usual limit. */
export const DEFAULT_MAX_REQUEST_BYTES = 4 * 1024 * 1024;

/** ConnectHandlerOptions configure the Connect, gRPC and gRPC-Web handler. */
export interface ConnectHandlerOptions {
  readonly routes: (router: ConnectRouter) => void;
  /** Interceptors that run after the call is observed and before its request is validated (authentication, call context …). */
  readonly interceptors: readonly Interceptor[];
  /** Aborted at shutdown so open streams (watches) end. */
  readonly shutdownSignal?: AbortSignal;
  /** Serves everything that is not an RPC (health, metrics, info). */
  readonly fallback?: RequestHandler;
  /** Longest deadline a client may ask for. */
  readonly maxTimeoutMs?: number;
  /**
   * Largest request body, in bytes, and largest message after decompression (default
   * DEFAULT_MAX_REQUEST_BYTES). A larger call is answered ResourceExhausted: at once when its
   * Content-Length says so, else as soon as the limit is passed while reading.
   */
  readonly maxRequestBytes?: number;
  /**
   * Where calls are logged. When given, every call is observed (request id, error mapping, log
   * line, metrics) by an interceptor installed first, and calls refused before any interceptor
   * runs (a body too large or that does not decode) are logged and counted too.
   */
  readonly logger?: Logger;
  /** Counts calls by service, method and code (with logger). */
  readonly metrics?: ServerMetrics;
  /** Whether requests are held to their protos' `buf.validate` rules (default true). */
  readonly validateRequests?: boolean;
  /** Gives the context values a call starts with, from its Node request (the peer's address, for instance). */
  readonly contextValues?: EdgeHandlerOptions["contextValues"];
}

/**
 * createConnectHandler serves the three RPC protocols from one request handler: the edge (request
 * ids, the request size limit, strict decoding), then observation when a logger is given, the
 * given interceptors, and validation of each request against its proto's rules.
 */
export function createConnectHandler(options: ConnectHandlerOptions): RequestHandler {
  const { logger, metrics } = options;
  return createEdgeHandler({
    routes: options.routes,
    interceptors: [
      ...(logger ? [observeCalls(logger, metrics)] : []),
      ...options.interceptors,
      ...(options.validateRequests === false ? [] : [validateRequests()]),
    ],
    maxRequestBytes: options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES,
    ...(options.shutdownSignal ? { shutdownSignal: options.shutdownSignal } : {}),
    ...(options.maxTimeoutMs ? { maxTimeoutMs: options.maxTimeoutMs } : {}),
    ...(options.fallback ? { fallback: options.fallback } : {}),
    ...(options.contextValues ? { contextValues: options.contextValues } : {}),
    ...(logger
      ? {
          onRefused: (call) => recordCall(logger, metrics, { ...call, refused: true }),
          onError: (err, path) => logger.error({ err, path }, "RPC response could not be written"),
        }
      : {}),
  });
}
