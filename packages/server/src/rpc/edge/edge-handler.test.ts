import { promisify } from "node:util";
import zlib from "node:zlib";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, createContextKey, createContextValues } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { common, compute, rpc } from "@limiquantix/api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startOnePortServer } from "../../http/one-port-server";
import { createConnectHandler } from "../connect-handler";
import {
  type EdgeTestServer,
  grpcFrame,
  postHttp1,
  postHttp2,
  startEdgeTestServer,
} from "./edge-test-support";

const GET_VM = "/limiquantix.compute.v1.VMService/GetVM";
const LIST_VMS = "/limiquantix.compute.v1.VMService/ListVMs";
const WATCH_VM = "/limiquantix.compute.v1.VMService/WatchVM";
// Field 1 (id, a string) promises 5 bytes and brings 1.
const MALFORMED = Uint8Array.from([0x0a, 0x05, 0x61]);
const MIB = 1024 * 1024;

let env: EdgeTestServer;
beforeEach(async () => {
  env = await startEdgeTestServer();
});
afterEach(async () => {
  await env.stop();
});

function connectError(body: Buffer): { code: string; message: string } {
  return JSON.parse(body.toString("utf8")) as { code: string; message: string };
}

function grpcWebTrailer(body: Buffer): string {
  // The last frame (flag 0x80) holds the trailers as HTTP header lines.
  let at = 0;
  let trailer = "";
  while (at + 5 <= body.length) {
    const length = body.readUInt32BE(at + 1);
    if (body[at]! & 0x80) trailer = body.subarray(at + 5, at + 5 + length).toString("utf8");
    at += 5 + length;
  }
  return trailer;
}

function getVmBytes(id: string): Uint8Array {
  return toBinary(compute.GetVMRequestSchema, create(compute.GetVMRequestSchema, { id }));
}

describe("the RPC edge: bodies that do not decode", () => {
  it("answers invalid_argument (HTTP 400), not internal, to a malformed binary Connect body", async () => {
    const res = await postHttp1(env.baseUrl, {
      path: GET_VM,
      headers: { "content-type": "application/proto" },
      body: MALFORMED,
    });
    expect(res.status).toBe(400);
    const error = connectError(res.body);
    expect(error.code).toBe("invalid_argument");
    expect(error.message).toMatch(
      /not a valid limiquantix\.compute\.v1\.GetVMRequest in the protobuf binary format/,
    );
  });

  it("answers invalid_argument to a malformed gRPC message", async () => {
    const res = await postHttp2(env.baseUrl, {
      path: GET_VM,
      headers: { "content-type": "application/grpc" },
      body: grpcFrame(MALFORMED),
    });
    expect(res.trailers["grpc-status"]).toBe(String(Code.InvalidArgument));
    expect(decodeURIComponent(String(res.trailers["grpc-message"]))).toMatch(/protobuf binary format/);
  });

  it("answers invalid_argument to a malformed gRPC-Web message", async () => {
    const res = await postHttp1(env.baseUrl, {
      path: GET_VM,
      headers: { "content-type": "application/grpc-web+proto" },
      body: grpcFrame(MALFORMED),
    });
    expect(grpcWebTrailer(res.body)).toMatch(/grpc-status: ?3/);
  });

  it("answers invalid_argument to a truncated gzip body", async () => {
    const gzip = await promisify(zlib.gzip)(Buffer.from(getVmBytes("vm-1")));
    const res = await postHttp1(env.baseUrl, {
      path: GET_VM,
      headers: { "content-type": "application/proto", "content-encoding": "gzip" },
      body: gzip.subarray(0, gzip.length - 6),
    });
    expect(res.status).toBe(400);
    expect(connectError(res.body)).toMatchObject({
      code: "invalid_argument",
      message: expect.stringMatching(/not valid gzip data/),
    });
  });

  it("answers invalid_argument to a truncated brotli gRPC message", async () => {
    const br = await promisify(zlib.brotliCompress)(Buffer.from(getVmBytes("x".repeat(40))));
    const res = await postHttp2(env.baseUrl, {
      path: GET_VM,
      headers: { "content-type": "application/grpc", "grpc-encoding": "br" },
      body: grpcFrame(br.subarray(0, br.length - 3), true),
    });
    expect(res.trailers["grpc-status"]).toBe(String(Code.InvalidArgument));
  });

  it("logs the refusal with its request id and counts it in the RPC metrics", async () => {
    const res = await postHttp1(env.baseUrl, {
      path: GET_VM,
      headers: { "content-type": "application/proto", "x-request-id": "edge-req-1" },
      body: MALFORMED,
    });
    expect(res.headers["x-request-id"]).toBe("edge-req-1");
    const line = env.logs.find((l) => l.requestId === "edge-req-1");
    expect(line).toMatchObject({
      code: "invalid_argument",
      service: "limiquantix.compute.v1.VMService",
      method: "GetVM",
    });
    expect(await env.metrics.registry.metrics()).toContain(
      'limiquantix_rpc_requests_total{service="limiquantix.compute.v1.VMService",method="GetVM",code="invalid_argument"} 1',
    );
  });
});

describe("the RPC edge: strict JSON", () => {
  it("refuses an unknown enum name in a filter, naming the field, instead of matching everything", async () => {
    const res = await postHttp1(env.baseUrl, {
      path: LIST_VMS,
      headers: { "content-type": "application/json" },
      body: Buffer.from('{"states":["POWER_STATE_RUNING"]}'),
    });
    expect(res.status).toBe(400);
    const error = connectError(res.body);
    expect(error.code).toBe("invalid_argument");
    expect(error.message).toMatch(
      /^states\[0\] must be one of .*POWER_STATE_RUNNING.* \(got "POWER_STATE_RUNING"\)$/,
    );
    expect(env.listed).toHaveLength(0);
  });

  it("refuses an unknown field, naming it", async () => {
    const res = await postHttp1(env.baseUrl, {
      path: LIST_VMS,
      headers: { "content-type": "application/json" },
      body: Buffer.from('{"pageSize":10,"stat":["POWER_STATE_RUNNING"]}'),
    });
    expect(connectError(res.body)).toEqual(
      expect.objectContaining({
        code: "invalid_argument",
        message: "stat is not a field of limiquantix.compute.v1.ListVMsRequest",
      }),
    );
  });

  it("names a value of the wrong type by the field's wire name", async () => {
    const res = await postHttp1(env.baseUrl, {
      path: LIST_VMS,
      headers: { "content-type": "application/json" },
      body: Buffer.from('{"pageSize":"ten"}'),
    });
    expect(connectError(res.body).message).toBe('page_size must be a number (int32) (got "ten")');
  });

  it("refuses an unknown field in the request of a stream", async () => {
    const json = Buffer.from('{"id":"vm-1","since":3}');
    const res = await postHttp1(env.baseUrl, {
      path: WATCH_VM,
      headers: { "content-type": "application/connect+json" },
      body: grpcFrame(json),
    });
    expect(res.body.toString("utf8")).toMatch(/"code":"invalid_argument".*since is not a field/);
  });

  it("still takes the proto names of fields and enum numbers", async () => {
    const res = await postHttp1(env.baseUrl, {
      path: LIST_VMS,
      headers: { "content-type": "application/json" },
      body: Buffer.from('{"page_size":10,"states":["POWER_STATE_RUNNING",2]}'),
    });
    expect(res.status).toBe(200);
    expect(env.listed[0]?.states).toEqual([compute.PowerState.RUNNING, 2]);
  });
});

describe("the RPC edge: the protos' validation rules", () => {
  const vms = () =>
    createClient(compute.VMService, createConnectTransport({ baseUrl: env.baseUrl, httpVersion: "1.1" }));

  async function failure(call: Promise<unknown>): Promise<ConnectError> {
    const err = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConnectError);
    return err as ConnectError;
  }

  it("refuses an empty id and a 200-character id with invalid_argument naming id", async () => {
    for (const id of ["", "v".repeat(200)]) {
      const err = await failure(vms().getVM({ id }));
      expect(Code[err.code]).toBe("InvalidArgument");
      const fields = err.findDetails(rpc.BadRequestSchema)[0]?.fieldViolations.map((v) => v.field) ?? [];
      expect(fields.length).toBeGreaterThan(0);
      expect(new Set(fields)).toEqual(new Set(["id"]));
      expect(err.rawMessage).toMatch(/^id /);
    }
  });

  it("refuses GetNodeMetrics without a node id", async () => {
    const nodes = createClient(
      compute.NodeService,
      createConnectTransport({ baseUrl: env.baseUrl, httpVersion: "1.1" }),
    );
    const err = await failure(nodes.getNodeMetrics({}));
    expect(Code[err.code]).toBe("InvalidArgument");
    expect(err.rawMessage).toMatch(/^node_id /);
  });

  it("names page_size, not the domain's limit, when a page is too large", async () => {
    const err = await failure(vms().listVMs({ pageSize: 5000 }));
    expect(Code[err.code]).toBe("InvalidArgument");
    expect(err.rawMessage).toMatch(/^page_size /);
  });

  it("holds the request of a stream to the rules", async () => {
    const err = await failure(
      (async () => {
        for await (const _ of vms().watchVM({ id: "" })) break;
      })(),
    );
    expect(Code[err.code]).toBe("InvalidArgument");
    expect(err.findDetails(rpc.BadRequestSchema)[0]?.fieldViolations[0]?.field).toBe("id");
  });

  it("lets a valid request through", async () => {
    expect((await vms().getVM({ id: "vm-1" })).vm?.name).toBe("web");
  });
});

describe("the RPC edge: request size", () => {
  it("answers resource_exhausted from the Content-Length alone, without reading the body", async () => {
    // The body is never sent in full: only an answer given before reading it can arrive.
    const res = await postHttp1(env.baseUrl, {
      path: LIST_VMS,
      headers: { "content-type": "application/json" },
      body: Buffer.from("{"),
      declaredLength: 20 * MIB,
    });
    expect(res.status).toBe(429);
    expect(connectError(res.body)).toMatchObject({
      code: "resource_exhausted",
      message: expect.stringMatching(/20971520 bytes, more than the 4194304/),
    });
  });

  it("holds a body without a length to the limit while reading it", async () => {
    const res = await postHttp1(env.baseUrl, {
      path: LIST_VMS,
      headers: { "content-type": "application/json", "transfer-encoding": "chunked" },
      body: Buffer.from(`{"labelSelector":"${"a".repeat(5 * MIB)}"}`),
    });
    expect(connectError(res.body).code).toBe("resource_exhausted");
  });

  it("holds a gRPC message to the limit", async () => {
    const res = await postHttp2(env.baseUrl, {
      path: LIST_VMS,
      headers: { "content-type": "application/grpc" },
      body: grpcFrame(new Uint8Array(5 * MIB)),
    });
    expect(res.trailers["grpc-status"]).toBe(String(Code.ResourceExhausted));
  });

  it("takes the limit it is given", async () => {
    await env.stop();
    env = await startEdgeTestServer({ maxRequestBytes: 1024 });
    const body = (n: number) => Buffer.from(`{"labelSelector":"${"a".repeat(n)}"}`);
    const refused = await postHttp1(env.baseUrl, {
      path: LIST_VMS,
      headers: { "content-type": "application/json" },
      body: body(2000),
    });
    expect(connectError(refused.body).code).toBe("resource_exhausted");
    const taken = await postHttp1(env.baseUrl, {
      path: LIST_VMS,
      headers: { "content-type": "application/json" },
      body: body(500),
    });
    expect(taken.status).toBe(200);
  });
});

describe("the RPC edge: error details", () => {
  it("attaches the standard google.rpc details, which gRPC tools render", async () => {
    const vms = createClient(compute.VMService, createGrpcTransport({ baseUrl: env.baseUrl }));
    const err = await vms.getVM({ id: "" }, { headers: { "x-request-id": "details-1" } }).then(
      () => undefined,
      (e: unknown) => ConnectError.from(e),
    );
    expect(err?.findDetails(rpc.BadRequestSchema)[0]?.fieldViolations[0]).toMatchObject({ field: "id" });
    expect(err?.findDetails(rpc.ErrorInfoSchema)[0]).toMatchObject({
      reason: "INVALID_ARGUMENT",
      domain: "limiquantix",
    });
    expect(err?.findDetails(rpc.RequestInfoSchema)[0]?.requestId).toBe("details-1");
    expect(err?.findDetails(common.ErrorDetailsSchema)[0]?.requestId).toBe("details-1");
  });
});

describe("the RPC edge: context values", () => {
  it("starts each call with the context values given from its Node request", async () => {
    const PEER = createContextKey("", { description: "peer" });
    const handler = createConnectHandler({
      routes: (router) =>
        router.service(compute.VMService, {
          getVM: (_req, ctx) => ({ vm: { id: "vm-1", name: ctx.values.get(PEER) } }),
        }),
      interceptors: [],
      contextValues: (req) => createContextValues().set(PEER, req.socket.remoteAddress ?? "unknown"),
    });
    const server = await startOnePortServer({ host: "127.0.0.1", port: 0, handler });
    try {
      const vms = createClient(
        compute.VMService,
        createConnectTransport({ baseUrl: `http://127.0.0.1:${server.port}`, httpVersion: "1.1" }),
      );
      expect((await vms.getVM({ id: "vm-1" })).vm?.name).toBe("127.0.0.1");
    } finally {
      await server.stop(100);
    }
  });
});
