import { readFileSync } from "node:fs";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import http2, { type Http2ServerRequest, type Http2ServerResponse, type Http2Session } from "node:http2";
import net, { type Socket } from "node:net";

/** RequestHandler serves both HTTP/1.1 and HTTP/2 requests (the node:http2 compatibility API). */
export type RequestHandler = (
  req: IncomingMessage | Http2ServerRequest,
  res: ServerResponse | Http2ServerResponse,
) => void;

/** TlsFiles name the PEM files of the server certificate (and optionally a CA to verify clients). */
export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile?: string;
}

/** OnePortOptions configure the listener. */
export interface OnePortOptions {
  readonly host: string;
  readonly port: number;
  readonly handler: RequestHandler;
  readonly tls?: TlsFiles;
  /**
   * clientCa (PEM), with tls, makes the listener ask every client for a certificate (without
   * requiring one) and verify it against this CA and `tls.caFile`; the handler reads the outcome
   * from the socket (`authorized`, `getPeerX509Certificate()`). A client without a certificate,
   * or with one that does not verify, is served all the same.
   */
  readonly clientCa?: string;
  /** Longest time for the request headers to arrive (HTTP/1.1). */
  readonly headersTimeoutMs?: number;
  /**
   * Largest request body the handler accepts, in bytes. A client that asks first
   * (`Expect: 100-continue`) whether it may send a larger one is not invited to: the handler
   * answers at once and the body is never sent. The handler still enforces its own limit.
   */
  readonly maxRequestBytes?: number;
}

/** OnePortServer serves Connect, gRPC-Web and plain HTTP over HTTP/1.1 and gRPC and Connect over HTTP/2 on one port. */
export interface OnePortServer {
  /** The port actually bound (useful with port 0). */
  readonly port: number;
  readonly host: string;
  /** Number of requests being served now. */
  inFlight(): number;
  /** stop stops accepting, waits up to drainMs for in-flight requests, then closes every connection. */
  stop(drainMs: number): Promise<void>;
}

const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

/** looksLikeHttp2 says whether the first bytes of a connection match the HTTP/2 connection preface (so far). */
export function looksLikeHttp2(first: Buffer): boolean {
  const n = Math.min(first.length, PREFACE.length);
  return n > 0 && first.subarray(0, n).equals(PREFACE.subarray(0, n));
}

/**
 * startOnePortServer listens on one port. Without TLS it reads the first bytes of each
 * connection: the HTTP/2 preface goes to an h2c server (gRPC needs HTTP/2), anything else to
 * an HTTP/1.1 server (Connect and gRPC-Web). With TLS, ALPN chooses, and HTTP/1.1 is allowed.
 */
export async function startOnePortServer(options: OnePortOptions): Promise<OnePortServer> {
  let active = 0;
  const counted: RequestHandler = (req, res) => {
    active++;
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        active--;
      }
    };
    res.once("finish", finish);
    res.once("close", finish);
    options.handler(req, res);
  };

  // Node answers `Expect: 100-continue` by itself unless told otherwise; a body the handler will
  // refuse (its Content-Length is over the limit) is not invited, so it never crosses the network.
  const checkContinue = (
    req: IncomingMessage | Http2ServerRequest,
    res: ServerResponse | Http2ServerResponse,
  ) => {
    const declared = Number(req.headers["content-length"]);
    const tooLarge = options.maxRequestBytes !== undefined && declared > options.maxRequestBytes;
    if (!tooLarge) res.writeContinue();
    counted(req, res);
  };

  const sockets = new Set<Socket>();
  const sessions = new Set<Http2Session>();
  const h1 = http.createServer(counted as (req: IncomingMessage, res: ServerResponse) => void);
  h1.headersTimeout = options.headersTimeoutMs ?? 30_000;
  h1.requestTimeout = 0;
  h1.keepAliveTimeout = 65_000;
  h1.on("checkContinue", checkContinue);

  let listener: net.Server;
  let h2: http2.Http2Server | http2.Http2SecureServer;
  if (options.tls) {
    const ca = [
      ...(options.tls.caFile ? [readFileSync(options.tls.caFile, "utf8")] : []),
      ...(options.clientCa ? [options.clientCa] : []),
    ];
    h2 = http2.createSecureServer(
      {
        cert: readFileSync(options.tls.certFile),
        key: readFileSync(options.tls.keyFile),
        ...(ca.length > 0 ? { ca } : {}),
        // Asked for, not required: browsers and users without certificates keep working.
        ...(options.clientCa ? { requestCert: true, rejectUnauthorized: false } : {}),
        allowHTTP1: true,
        ALPNProtocols: ["h2", "http/1.1"],
      },
      counted as (req: Http2ServerRequest, res: Http2ServerResponse) => void,
    );
    listener = h2 as unknown as net.Server;
    h2.on("secureConnection", (s: Socket) => track(s));
  } else {
    h2 = http2.createServer(counted as (req: Http2ServerRequest, res: Http2ServerResponse) => void);
    listener = net.createServer((socket) => {
      track(socket);
      socket.once("error", () => socket.destroy());
      // A connection that never says anything would otherwise hold a file descriptor forever.
      socket.setTimeout(options.headersTimeoutMs ?? 30_000, () => socket.destroy());
      const route = (chunk: Buffer) => {
        socket.setTimeout(0);
        socket.pause();
        socket.unshift(chunk);
        // node:http2 drains what is already buffered on the socket before it takes over the
        // handle, so the unshifted preface reaches it; HTTP/1.1 reads it once resumed.
        if (looksLikeHttp2(chunk)) h2.emit("connection", socket);
        else {
          h1.emit("connection", socket);
          socket.resume();
        }
      };
      socket.once("data", route);
    });
  }
  h2.on("checkContinue", checkContinue);
  h2.on("session", (session: Http2Session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
    session.on("error", () => session.destroy());
  });

  function track(socket: Socket): void {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  }

  await new Promise<void>((resolve, reject) => {
    listener.once("error", reject);
    listener.listen(options.port, options.host, () => {
      listener.off("error", reject);
      resolve();
    });
  });
  const address = listener.address();
  const port = typeof address === "object" && address ? address.port : options.port;

  return {
    port,
    host: options.host,
    inFlight: () => active,
    async stop(drainMs: number): Promise<void> {
      const closed = new Promise<void>((resolve) => listener.close(() => resolve()));
      // Ask idle HTTP/1.1 keep-alive connections and HTTP/2 sessions to wind down.
      h1.closeIdleConnections();
      for (const s of sessions) s.close();
      const deadline = Date.now() + drainMs;
      while (active > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const s of sessions) s.destroy();
      for (const s of sockets) s.destroy();
      h1.closeAllConnections();
      await closed;
    },
  };
}
