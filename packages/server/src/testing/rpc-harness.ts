import { setMaxListeners } from "node:events";
import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { pino } from "pino";
import { startOnePortServer, type OnePortServer } from "../http/one-port-server";
import { withCallContext } from "../rpc/call-context-interceptor";
import { createConnectHandler } from "../rpc/connect-handler";
import { registerRoutes } from "../rpc/route";
import { type MemoryServices, type MemoryServicesOptions, startMemoryServices } from "./memory-services";

/** RpcHarness is the control plane's RPC services over memory adapters, on a real socket. */
export interface RpcHarness extends MemoryServices {
  readonly server: OnePortServer;
  readonly baseUrl: string;
  /** connect is a Connect-protocol transport over HTTP/1.1. */
  readonly connect: Transport;
  /** grpc is a gRPC transport over cleartext HTTP/2. */
  readonly grpc: Transport;
  /** client makes a typed client of a service over the Connect transport (or the one given). */
  client<S extends DescService>(service: S, transport?: Transport): Client<S>;
}

/** startRpcHarness starts memory services and serves them on a random port. */
export async function startRpcHarness(options: MemoryServicesOptions = {}): Promise<RpcHarness> {
  const env = await startMemoryServices(options);
  const shutdown = new AbortController();
  // Every call in flight listens to it (to end at shutdown): many at once is normal, not a leak.
  setMaxListeners(0, shutdown.signal);
  const handler = createConnectHandler({
    routes: (router) => {
      registerRoutes(router, env.plane.routes());
    },
    logger: pino({ level: "silent" }),
    interceptors: [withCallContext()],
    shutdownSignal: shutdown.signal,
  });
  const server = await startOnePortServer({ host: "127.0.0.1", port: 0, handler });
  const baseUrl = `http://127.0.0.1:${server.port}`;
  const connect = createConnectTransport({ baseUrl, httpVersion: "1.1" });
  const grpc = createGrpcTransport({ baseUrl });
  return {
    ...env,
    server,
    baseUrl,
    connect,
    grpc,
    client: (service, transport) => createClient(service, transport ?? connect),
    async close() {
      shutdown.abort();
      await server.stop(200);
      await env.close();
    },
  };
}
