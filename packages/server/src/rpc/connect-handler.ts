import type { ConnectRouter, Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { RequestHandler } from "../http/one-port-server";

/** ConnectHandlerOptions configure the Connect, gRPC and gRPC-Web handler. */
export interface ConnectHandlerOptions {
  readonly routes: (router: ConnectRouter) => void;
  readonly interceptors: readonly Interceptor[];
  /** Aborted at shutdown so open streams (watches) end. */
  readonly shutdownSignal?: AbortSignal;
  /** Serves everything that is not an RPC (health, metrics, info). */
  readonly fallback?: RequestHandler;
  /** Longest deadline a client may ask for. */
  readonly maxTimeoutMs?: number;
}

/** createConnectHandler serves the three RPC protocols from one request handler. */
export function createConnectHandler(options: ConnectHandlerOptions): RequestHandler {
  return connectNodeAdapter({
    routes: options.routes,
    interceptors: [...options.interceptors],
    ...(options.shutdownSignal ? { shutdownSignal: options.shutdownSignal } : {}),
    ...(options.maxTimeoutMs ? { maxTimeoutMs: options.maxTimeoutMs } : {}),
    ...(options.fallback ? { fallback: options.fallback as Parameters<typeof connectNodeAdapter>[0]["fallback"] } : {}),
  }) as RequestHandler;
}
