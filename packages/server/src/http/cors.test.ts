import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { withCors } from "./cors";
import type { RequestHandler } from "./one-port-server";

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function serve(allowedOrigins: string[]): Promise<string> {
  const inner: RequestHandler = (_req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("inner");
  };
  server = createServer(
    withCors(inner, { allowedOrigins, maxAgeSec: 600 }) as Parameters<typeof createServer>[1],
  );
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/limiquantix.compute.v1.VMService/ListVMs`;
}

const preflight = (origin: string) => ({
  method: "OPTIONS",
  headers: {
    origin,
    "access-control-request-method": "POST",
    "access-control-request-headers": "content-type,connect-protocol-version",
  },
});

describe("CORS", () => {
  it("answers a preflight from an allowed origin with the Connect and gRPC-Web headers", async () => {
    const url = await serve(["https://console.example.com"]);
    const res = await fetch(url, preflight("https://console.example.com"));
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("https://console.example.com");
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
    const allowed = res.headers.get("access-control-allow-headers")!.toLowerCase();
    for (const h of ["connect-protocol-version", "x-grpc-web", "grpc-timeout", "authorization"])
      expect(allowed).toContain(h);
    expect(res.headers.get("access-control-max-age")).toBe("600");
  });

  it("marks an allowed origin's response readable, exposing the trailers gRPC-Web uses", async () => {
    const url = await serve(["https://console.example.com"]);
    const res = await fetch(url, { method: "POST", headers: { origin: "https://console.example.com" } });
    expect(await res.text()).toBe("inner");
    expect(res.headers.get("access-control-allow-origin")).toBe("https://console.example.com");
    expect(res.headers.get("access-control-expose-headers")!.toLowerCase()).toContain("grpc-status");
  });

  it("allows no origin by default: a preflight is refused and a response carries no CORS headers", async () => {
    const url = await serve([]);
    const pre = await fetch(url, preflight("https://evil.example"));
    expect(pre.status).toBe(403);
    expect(pre.headers.get("access-control-allow-origin")).toBeNull();
    const res = await fetch(url, { method: "POST", headers: { origin: "https://evil.example" } });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("leaves requests without an Origin untouched", async () => {
    const url = await serve([]);
    const res = await fetch(url, { method: "POST" });
    expect(await res.text()).toBe("inner");
    expect(res.headers.get("vary")).toBeNull();
  });
});
