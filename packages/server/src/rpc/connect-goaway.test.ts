import { syncBuiltinESMExports } from "node:module";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { createClient } from "@connectrpc/connect";
import { connectNodeAdapter, createGrpcTransport } from "@connectrpc/connect-node";
import { iam } from "@limiquantix/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// patches/@connectrpc__connect-node@2.1.2.patch: when an idle HTTP/2 connection receives a GOAWAY
// (an agent that stops, a load balancer closing idle connections), connect-node destroys it with
// an error that Node.js raises once the socket has closed; if a new call has made the session
// manager reconnect meanwhile, nobody listens any more and the error is an uncaught exception
// that ends the process (connect-es issue 1768). The patch swallows that deferred error. This pins
// it: unpatched, the process sees uncaught exceptions here.
let server: http2.Http2Server;
let baseUrl = "";
const sessions: http2.ServerHttp2Session[] = [];

beforeAll(async () => {
  server = http2.createServer(
    connectNodeAdapter({
      routes: (router) =>
        void router.service(iam.ProjectService, {
          async getProject(req) {
            return { project: { id: req.id, name: "p" } };
          },
        }),
    }),
  );
  server.on("session", (s) => sessions.push(s));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sessions) s.destroy();
  await new Promise((resolve) => server.close(resolve));
});

describe("connect-node, as patched", () => {
  it("survives a GOAWAY on an idle connection followed at once by a new call", async () => {
    const uncaught: unknown[] = [];
    const onUncaught = (e: unknown) => uncaught.push(e);
    process.on("uncaughtException", onUncaught);
    // Every client session the transport opens; when one hears a GOAWAY (after the session
    // manager, which destroys it), a new call is made at once, as a busy caller would.
    const connect = http2.connect;
    let onGoaway: (() => void) | undefined;
    http2.connect = ((...args: Parameters<typeof http2.connect>) => {
      const session = connect(...args);
      session.on("goaway", () => onGoaway?.());
      return session;
    }) as typeof http2.connect;
    syncBuiltinESMExports();
    try {
      const client = createClient(iam.ProjectService, createGrpcTransport({ baseUrl }));
      const racing: Promise<unknown>[] = [];
      onGoaway = () => racing.push(client.getProject({ id: "racing" }).catch(() => undefined));
      for (let i = 0; i < 10; i++) {
        // A call that races a GOAWAY may be refused (REFUSED_STREAM); callers retry it.
        await client.getProject({ id: `p-${i}` }).catch(() => client.getProject({ id: `p-${i}` }));
        for (const s of sessions.filter((x) => !x.closed && !x.destroyed))
          s.goaway(http2.constants.NGHTTP2_NO_ERROR);
        await new Promise((r) => setTimeout(r, 20));
        await Promise.all(racing);
      }
      await new Promise((r) => setTimeout(r, 200));
      expect(racing.length).toBeGreaterThan(0);
    } finally {
      http2.connect = connect;
      syncBuiltinESMExports();
      process.off("uncaughtException", onUncaught);
    }
    expect(uncaught).toEqual([]);
  });
});
