import { mkdtempSync, writeFileSync } from "node:fs";
import https from "node:https";
import http2 from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestPki } from "@limiquantix/agent-client/testing";
import { afterEach, describe, expect, it } from "vitest";
import { type OnePortServer, startOnePortServer } from "./one-port-server";

let server: OnePortServer | undefined;
afterEach(async () => {
  await server?.stop(100);
  server = undefined;
});

describe("one-port server with TLS", () => {
  it("lets ALPN choose HTTP/2 or HTTP/1.1 on the same port", async () => {
    const pki = createTestPki("tls-test-ca");
    const cert = pki.nodeCertificate("localhost");
    const dir = mkdtempSync(join(tmpdir(), "lqx-tls-"));
    writeFileSync(join(dir, "cert.pem"), cert.cert);
    writeFileSync(join(dir, "key.pem"), cert.key);
    server = await startOnePortServer({
      host: "127.0.0.1",
      port: 0,
      tls: { certFile: join(dir, "cert.pem"), keyFile: join(dir, "key.pem") },
      handler: (req, res) => res.end(`${req.httpVersion}`),
    });
    const port = server.port;
    const h1 = await new Promise<string>((resolve, reject) => {
      https
        .get({ host: "127.0.0.1", port, path: "/", ca: pki.ca.cert, servername: "localhost" }, (res) => {
          let body = "";
          res.on("data", (c) => {
            body += c;
          });
          res.on("end", () => resolve(body));
        })
        .on("error", reject);
    });
    expect(h1).toBe("1.1");
    const h2 = await new Promise<string>((resolve, reject) => {
      const session = http2.connect(`https://localhost:${port}`, { ca: pki.ca.cert });
      session.on("error", reject);
      const req = session.request({ ":path": "/" });
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
    expect(h2).toBe("2.0");
  });
});
