import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
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

  it("does not invite a body over the limit when the client asks first (Expect: 100-continue)", async () => {
    server = await startOnePortServer({
      host: "127.0.0.1",
      port: 0,
      maxRequestBytes: 1000,
      handler: (req, res) => {
        if (Number(req.headers["content-length"]) > 1000) {
          res.writeHead(413, { "content-length": "9" });
          res.end("too large");
          return;
        }
        let n = 0;
        req.on("data", (c: Buffer) => {
          n += c.length;
        });
        req.on("end", () => {
          const text = `got ${n}`;
          res.writeHead(200, { "content-length": String(text.length) });
          res.end(text);
        });
      },
    });
    const exchange = (length: number): Promise<string> =>
      new Promise((resolve, reject) => {
        const socket = net.connect(server!.port, "127.0.0.1");
        let seen = "";
        socket.on("error", reject);
        socket.on("data", (c: Buffer) => {
          seen += c.toString("latin1");
          if (seen.startsWith("HTTP/1.1 100") && !seen.includes("\r\n\r\nHTTP/1.1 "))
            socket.write("x".repeat(length));
          if (/\r\n\r\n(got \d+|too large)$/.test(seen)) {
            socket.destroy();
            resolve(seen);
          }
        });
        socket.write(
          `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\nExpect: 100-continue\r\n\r\n`,
        );
      });
    const refused = await exchange(5000);
    expect(refused).toMatch(/^HTTP\/1\.1 413/);
    expect(refused).not.toContain("100 Continue");
    const taken = await exchange(10);
    expect(taken).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK/);
    expect(taken).toMatch(/got 10$/);
  });
});
