import http from "node:http";
import http2 from "node:http2";
import { afterEach, describe, expect, it } from "vitest";
import { looksLikeHttp2, type OnePortServer, startOnePortServer } from "./one-port-server";

let server: OnePortServer | undefined;
afterEach(async () => {
  await server?.stop(100);
  server = undefined;
});

function get1(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path }, (res) => {
        let body = "";
        res.on("data", (c) => {
          body += c;
        });
        res.on("end", () => resolve(body));
      })
      .on("error", reject);
  });
}

function get2(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on("error", reject);
    const req = session.request({ ":path": path });
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      session.close();
      resolve(body);
    });
    req.end();
  });
}

describe("one-port server", () => {
  it("serves HTTP/1.1 and cleartext HTTP/2 on the same port", async () => {
    server = await startOnePortServer({
      host: "127.0.0.1",
      port: 0,
      handler: (req, res) => res.end(`${req.httpVersion} ${req.url}`),
    });
    expect(await get1(server.port, "/a")).toBe("1.1 /a");
    expect(await get2(server.port, "/b")).toBe("2.0 /b");
    expect(await get1(server.port, "/c")).toBe("1.1 /c");
  });

  it("recognises the HTTP/2 preface even when it arrives in pieces", () => {
    expect(looksLikeHttp2(Buffer.from("PRI * HT"))).toBe(true);
    expect(looksLikeHttp2(Buffer.from("POST /x HTTP/1.1"))).toBe(false);
  });

  it("lets in-flight requests finish during stop, then refuses new connections", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    server = await startOnePortServer({
      host: "127.0.0.1",
      port: 0,
      handler: (_req, res) => {
        void gate.then(() => res.end("done"));
      },
    });
    const port = server.port;
    const pending = get1(port, "/slow");
    while (server.inFlight() === 0) await new Promise((r) => setTimeout(r, 5));
    const stopping = server.stop(5000);
    release();
    expect(await pending).toBe("done");
    await stopping;
    server = undefined;
    await expect(get1(port, "/again")).rejects.toThrow();
  });
});
