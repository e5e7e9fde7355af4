import { cors as connectCors } from "@connectrpc/connect";
import type { RequestHandler } from "./one-port-server";

/** CorsOptions say which browser origins may call the server. */
export interface CorsOptions {
  /** Allowed origins (`https://console.example.com`), or `*` for any; empty allows none. */
  readonly allowedOrigins: readonly string[];
  readonly maxAgeSec: number;
}

const ALLOW_METHODS = [...connectCors.allowedMethods].join(", ");
const ALLOW_HEADERS = [...connectCors.allowedHeaders, "Authorization", "X-Request-Id"].join(", ");
const EXPOSE_HEADERS = [...connectCors.exposedHeaders, "X-Request-Id"].join(", ");

/**
 * withCors answers browsers' CORS preflights for the Connect and gRPC-Web protocols and marks
 * responses to allowed origins readable, with the headers and trailers those protocols use. A
 * request from an origin that is not allowed gets no CORS headers (a preflight gets 403), so the
 * browser refuses it; requests without an Origin (every non-browser client) pass untouched.
 */
export function withCors(handler: RequestHandler, options: CorsOptions): RequestHandler {
  const any = options.allowedOrigins.includes("*");
  const allowed = new Set(options.allowedOrigins);
  return (req, res) => {
    const origin = req.headers.origin;
    if (typeof origin !== "string") {
      handler(req, res);
      return;
    }
    const ok = any || allowed.has(origin);
    const preflight = req.method === "OPTIONS" && req.headers["access-control-request-method"] !== undefined;
    if (preflight) {
      if (!ok) {
        res.writeHead(403, { vary: "Origin", "content-type": "text/plain" });
        res.end(`origin ${origin} is not allowed; add it to server.cors.allowedOrigins\n`);
        return;
      }
      res.writeHead(204, {
        "access-control-allow-origin": origin,
        "access-control-allow-methods": ALLOW_METHODS,
        "access-control-allow-headers": ALLOW_HEADERS,
        "access-control-max-age": String(options.maxAgeSec),
        vary: "Origin",
      });
      res.end();
      return;
    }
    if (ok) {
      res.setHeader("access-control-allow-origin", origin);
      res.setHeader("access-control-expose-headers", EXPOSE_HEADERS);
      res.setHeader("vary", "Origin");
    }
    handler(req, res);
  };
}
