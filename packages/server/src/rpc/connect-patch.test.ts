import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type HandlerContext } from "@connectrpc/connect";
import {
  createMethodSerializationLookup,
  encodeEnvelope,
  pipe,
  transformJoinEnvelopes,
} from "@connectrpc/connect/protocol";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { compute, iam } from "@limiquantix/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OnePortServer, startOnePortServer } from "../http/one-port-server";
import { createConnectHandler } from "./connect-handler";
import { route } from "./route";

// patches/@connectrpc__connect@2.1.2.patch and @connectrpc__connect-node@2.1.2.patch: Connect
// aborts every handler's signal when the call ends (and connect-node when the request closes);
// unpatched, each builds a DOMException (and its stack) per call, several percent of a small
// call's CPU. The patches pass one shared reason instead. This pins them, so an upgrade of
// Connect that drops them is noticed.
let server: OnePortServer;
const signals: AbortSignal[] = [];
beforeAll(async () => {
  const r = route(iam.ProjectService, {
    async getProject(_ctx, req, handler: HandlerContext) {
      signals.push(handler.signal);
      return { project: { id: req.id, name: "p" } };
    },
  });
  const handler = createConnectHandler({
    routes: (router) => void router.service(r.service, r.impl),
    interceptors: [],
  });
  server = await startOnePortServer({ host: "127.0.0.1", port: 0, handler });
});
afterAll(async () => {
  await server.stop(100);
});

describe("Connect, as patched", () => {
  for (const [name, transport] of [
    ["gRPC", () => createGrpcTransport({ baseUrl: `http://127.0.0.1:${server.port}` })],
    [
      "Connect",
      () => createConnectTransport({ baseUrl: `http://127.0.0.1:${server.port}`, httpVersion: "1.1" }),
    ],
  ] as const) {
    it(`ends a ${name} call's handler signal with one shared reason, not a DOMException per call`, async () => {
      const client = createClient(iam.ProjectService, transport());
      await client.getProject({ id: "a" });
      await client.getProject({ id: "b" });
      await new Promise((r) => setTimeout(r, 20));
      const [first, second] = signals.splice(0);
      expect(first?.aborted).toBe(true);
      expect(first?.reason).not.toBeInstanceOf(DOMException);
      expect(first?.reason).toBe(second?.reason);
    });
  }

  it("ends a client call's signal with one shared Canceled reason, not a DOMException per call", async () => {
    const seen: AbortSignal[] = [];
    const transport = createGrpcTransport({
      baseUrl: `http://127.0.0.1:${server.port}`,
      interceptors: [
        (next) => (req) => {
          seen.push(req.signal);
          return next(req);
        },
      ],
    });
    const client = createClient(iam.ProjectService, transport);
    await client.getProject({ id: "a" });
    await client.getProject({ id: "b" });
    signals.splice(0);
    const [first, second] = seen;
    expect(first?.aborted).toBe(true);
    expect(first?.reason).not.toBeInstanceOf(DOMException);
    expect(first?.reason).toBe(second?.reason);
    expect(ConnectError.from(first?.reason).code).toBe(Code.Canceled);
  });

  // The same patch lets one change fan out to many watchers at the cost of one encoding: a frozen
  // message (watchMessages sends every watcher of a change the same frozen one) is encoded once
  // per method and format; any other message every time it is sent.
  it("encodes and envelopes a frozen message once, in both formats, and any other message every time", () => {
    const lookup = createMethodSerializationLookup(compute.VMService.method.watchVMs, undefined, undefined, {
      readMaxBytes: 1 << 20,
      writeMaxBytes: 1 << 20,
    });
    for (const binary of [true, false]) {
      const serialization = lookup.getO(binary);
      const frozen = Object.freeze(create(compute.WatchVMsResponseSchema, { resourceVersion: 7n }));
      const once = serialization.serialize(frozen);
      expect(serialization.serialize(frozen)).toBe(once);
      const plain = create(compute.WatchVMsResponseSchema, { resourceVersion: 7n });
      const before = serialization.serialize(plain);
      expect(before).toEqual(once);
      plain.resourceVersion = 8n;
      expect(serialization.serialize(plain)).not.toEqual(before);
      // Every stream that sends the frozen message gets one envelope; other bytes a new one each.
      const enveloped = encodeEnvelope(0, once);
      expect(encodeEnvelope(0, once)).toBe(enveloped);
      expect([...enveloped.subarray(5)]).toEqual([...once]);
      expect(encodeEnvelope(0, before)).not.toBe(encodeEnvelope(0, before));
      expect(encodeEnvelope(1, once)).not.toBe(encodeEnvelope(1, once));
    }
  });

  // The patches also carry Connect's own sources (v2.1.2) compiled for ES2018 where the published
  // build (ES2017) emulates async generators with helper functions: every message of every stream
  // went through them, in both directions. Native, a watch replica delivers about twice the
  // events per CPU-second (bench:watch, server README).
  it("streams through native async generators", async () => {
    const nativeGenerator = Object.getPrototypeOf(async function* () {});
    expect(Object.getPrototypeOf(pipe)).toBe(nativeGenerator);
    expect(Object.getPrototypeOf(transformJoinEnvelopes())).toBe(nativeGenerator);
    const joined: Uint8Array[] = [];
    for await (const bytes of pipe(
      (async function* () {
        yield { flags: 0, data: new Uint8Array([1, 2]) };
        yield { flags: 0, data: new Uint8Array([3]) };
      })(),
      transformJoinEnvelopes(),
    ))
      joined.push(bytes);
    expect(joined.map((b) => [...b])).toEqual([
      [0, 0, 0, 0, 2, 1, 2],
      [0, 0, 0, 0, 1, 3],
    ]);
  });
});
