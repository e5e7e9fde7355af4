import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { Registry } from "prom-client";
import type { HealthRegistry } from "../observability/health";

/** ServerInfo is what `/api/v1/info` tells about the running server. */
export interface ServerInfo {
  readonly version: string;
  readonly mode: string;
  readonly startedAt: string;
  readonly components: readonly { name: string; address: string }[];
  readonly simulatedNodes: number;
}

type Req = IncomingMessage | Http2ServerRequest;
type Res = ServerResponse | Http2ServerResponse;

function json(res: Res, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(text);
}

/**
 * createPlainRoutes serves the plain-HTTP endpoints beside the RPCs: `/health` and `/live`
 * (the process answers), `/ready` (every component, 503 when one is not ready), `/api/v1/info`
 * and the Prometheus metrics.
 */
export function createPlainRoutes(options: {
  health: HealthRegistry;
  info: () => ServerInfo;
  metrics?: { registry: Registry; path: string };
  isShuttingDown: () => boolean;
  /** jwks is the key set that verifies access tokens, served at /.well-known/jwks.json. */
  jwks?: () => unknown;
  /** metricsAccess, when given, must accept the request's authorization header before /metrics answers. */
  metricsAccess?: (authorization: string | undefined) => Promise<boolean>;
}): (req: Req, res: Res) => void {
  return (req, res) => {
    void (async () => {
      const path = (req.url ?? "/").split("?")[0];
      if (req.method !== "GET" && req.method !== "HEAD") {
        json(res, 405, { error: "method not allowed", allowed: ["GET", "HEAD"] });
        return;
      }
      switch (path) {
        case "/health":
          json(res, 200, { status: "ok", uptimeSec: Math.round(process.uptime()) });
          return;
        case "/live":
          json(res, 200, { status: "alive" });
          return;
        case "/ready": {
          if (options.isShuttingDown()) {
            json(res, 503, { status: "not_ready", reason: "shutting down", components: {} });
            return;
          }
          const r = await options.health.check();
          json(res, r.ready ? 200 : 503, {
            status: r.ready ? "ready" : "not_ready",
            components: Object.fromEntries(
              r.components.map((c) => [
                c.name,
                { status: c.ready ? "ok" : "error", message: c.message, latencyMs: c.latencyMs },
              ]),
            ),
          });
          return;
        }
        case "/api/v1/info":
          json(res, 200, options.info());
          return;
        case "/.well-known/jwks.json":
          if (options.jwks) {
            res.setHeader("cache-control", "public, max-age=300");
            json(res, 200, options.jwks());
            return;
          }
          break;
        default:
          break;
      }
      if (options.metrics && path === options.metrics.path) {
        if (options.metricsAccess && !(await options.metricsAccess(req.headers.authorization))) {
          res.setHeader("www-authenticate", 'Bearer realm="limiquantix"');
          json(res, 401, { error: "metrics need an access token: authorization: Bearer <token>" });
          return;
        }
        const body = await options.metrics.registry.metrics();
        res.writeHead(200, { "content-type": options.metrics.registry.contentType });
        res.end(body);
        return;
      }
      json(res, 404, {
        error: `no route for ${path}`,
        routes: [
          "/health",
          "/live",
          "/ready",
          "/api/v1/info",
          ...(options.jwks ? ["/.well-known/jwks.json"] : []),
          options.metrics?.path,
        ],
      });
    })().catch((e: unknown) => {
      if (!res.headersSent) json(res, 500, { error: "internal error", message: (e as Error).message });
      else res.end();
    });
  };
}
