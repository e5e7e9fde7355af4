import http from "node:http";
import http2 from "node:http2";
import type { ConnectRouter } from "@connectrpc/connect";
import { compute, storage } from "@limiquantix/api";
import { pino, type Logger } from "pino";
import { type OnePortServer, startOnePortServer } from "../../http/one-port-server";
import { createMetrics, type ServerMetrics } from "../../observability/metrics";
import { type ConnectHandlerOptions, createConnectHandler } from "../connect-handler";

/** LogLine is one line the edge test server logged. */
export type LogLine = Record<string, unknown> & { level: number; msg: string };

/** EdgeTestServer is a one-port server with a few API methods behind the real edge, its log lines and metrics. */
export interface EdgeTestServer {
  readonly server: OnePortServer;
  readonly baseUrl: string;
  readonly logs: LogLine[];
  readonly metrics: ServerMetrics;
  /** The requests the fake ListVMs implementation received. */
  readonly listed: compute.ListVMsRequest[];
  stop(): Promise<void>;
}

function fakeRoutes(listed: compute.ListVMsRequest[]) {
  return (router: ConnectRouter) => {
    router.service(compute.VMService, {
      listVMs(req) {
        listed.push(req);
        return { vms: [], nextPageToken: "", totalCount: 0 };
      },
      getVM(req) {
        return { vm: { id: req.id, name: "web" } };
      },
      async *watchVM(req) {
        yield { vm: { id: req.id } };
      },
    });
    router.service(compute.NodeService, { getNodeMetrics: () => ({}) });
    router.service(storage.StoragePoolService, { listStoragePools: () => ({}) });
  };
}

/** startEdgeTestServer serves fake VMService, NodeService and StoragePoolService methods through createConnectHandler on a random port. */
export async function startEdgeTestServer(
  options: Partial<ConnectHandlerOptions> = {},
): Promise<EdgeTestServer> {
  const logs: LogLine[] = [];
  const logger: Logger = pino(
    { level: "debug" },
    { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) },
  );
  const metrics = createMetrics();
  const listed: compute.ListVMsRequest[] = [];
  const handler = createConnectHandler({
    routes: fakeRoutes(listed),
    interceptors: [],
    logger,
    metrics,
    ...options,
  });
  const server = await startOnePortServer({ host: "127.0.0.1", port: 0, handler });
  return {
    server,
    baseUrl: `http://127.0.0.1:${server.port}`,
    logs,
    metrics,
    listed,
    stop: () => server.stop(100),
  };
}

/** RawResponse is what a raw HTTP exchange returned. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly trailers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** RawRequest is a request written byte for byte; `declaredLength` sends a Content-Length that need not match the body. */
export interface RawRequest {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
  readonly declaredLength?: number;
}

/** postHttp1 sends a request over HTTP/1.1; with declaredLength larger than the body it never finishes the body, so only an early answer arrives. */
export function postHttp1(baseUrl: string, request: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: request.path,
        method: "POST",
        headers: {
          ...request.headers,
          ...(request.declaredLength !== undefined
            ? { "content-length": String(request.declaredLength) }
            : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            trailers: res.trailers,
            body: Buffer.concat(chunks),
          });
          req.destroy();
        });
      },
    );
    req.on("error", reject);
    if (request.declaredLength !== undefined && request.declaredLength > request.body.byteLength)
      req.write(request.body);
    else req.end(request.body);
  });
}

/** postHttp2 sends a request over cleartext HTTP/2 (gRPC needs it) and collects headers, body and trailers. */
export function postHttp2(baseUrl: string, request: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(baseUrl);
    session.on("error", reject);
    const stream = session.request({ ":method": "POST", ":path": request.path, ...request.headers });
    let headers: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on("response", (h) => {
      headers = h;
    });
    stream.on("trailers", (t) => {
      trailers = t;
    });
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => {
      session.close();
      resolve({ status: Number(headers[":status"]), headers, trailers, body: Buffer.concat(chunks) });
    });
    stream.on("error", reject);
    stream.end(request.body);
  });
}

/** grpcFrame wraps one message in the gRPC length-prefixed frame (flag 1 marks it compressed). */
export function grpcFrame(message: Uint8Array, compressed = false): Uint8Array {
  const frame = Buffer.alloc(5 + message.byteLength);
  frame.writeUInt8(compressed ? 1 : 0, 0);
  frame.writeUInt32BE(message.byteLength, 1);
  frame.set(message, 5);
  return frame;
}
