import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";

/** RedfishTarget is how one BMC is reached: its base URL, credentials and TLS trust. */
export interface RedfishTarget {
  /** The BMC's base URL (`https://bmc-a.example.com`). */
  readonly endpoint: string;
  readonly username: string;
  readonly password: string;
  /** PEM of the CA that signed the BMC's certificate; absent, the system's trusted CAs. */
  readonly ca?: string;
  /** Accept any certificate (labs only). */
  readonly insecureSkipVerify?: boolean;
}

/** RedfishAnswer is a BMC's answer: the HTTP status and the JSON body (undefined when it had none). */
export interface RedfishAnswer {
  readonly status: number;
  readonly body: unknown;
}

/**
 * RedfishFailure is a request to a BMC that went wrong; retryable says whether the same request
 * may succeed if sent again (no connection, a reset, 5xx, 429), unlike a refusal (401, 404, TLS).
 */
export class RedfishFailure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "RedfishFailure";
  }
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS|ERR_SSL|HOSTNAME|EPROTO/;
const MAX_BODY = 1024 * 1024;

/** describeNetworkError words a failed connection for an operator: refused, unresolvable, TLS, reset. */
function describeNetworkError(e: NodeJS.ErrnoException): { text: string; retryable: boolean } {
  const code = e.code ?? "";
  const message = e.message.replace(/\s+/g, " ").trim();
  if (TLS_CODES.test(code) || /certificate|ssl|tls/i.test(message))
    return {
      text: `TLS error: ${message} (set caFile to the CA that signed the BMC's certificate, or insecureSkipVerify in a lab)`,
      retryable: false,
    };
  if (code === "ECONNREFUSED") return { text: `connection refused (${message})`, retryable: true };
  if (code === "ENOTFOUND" || code === "EAI_AGAIN")
    return { text: `cannot resolve the BMC's host (${message})`, retryable: true };
  return { text: message || code || "connection failed", retryable: true };
}

/** statusText words an HTTP error status, with what to check for the usual ones. */
function statusText(status: number): string {
  if (status === 401) return "401 Unauthorized: check the username and password";
  if (status === 403) return "403 Forbidden: the account may not reset this system";
  if (status === 404) return "404 Not Found: check systemId";
  return String(status);
}

/**
 * redfishRequest sends one request to a BMC with HTTP basic authentication and returns its answer;
 * a network or TLS error, an answer that is not 2xx, or the signal ending it throws RedfishFailure.
 */
export function redfishRequest(
  target: RedfishTarget,
  method: "GET" | "POST",
  path: string,
  signal: AbortSignal,
  body?: unknown,
): Promise<RedfishAnswer> {
  const url = new URL(path, target.endpoint);
  const where = `${method} ${url.origin}${url.pathname}`;
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const auth = Buffer.from(`${target.username}:${target.password}`).toString("base64");
  const headers: Record<string, string> = {
    accept: "application/json",
    authorization: `Basic ${auth}`,
    "odata-version": "4.0",
    "user-agent": "limiquantix-server",
    ...(payload !== undefined
      ? { "content-type": "application/json", "content-length": String(Buffer.byteLength(payload)) }
      : {}),
  };
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new RedfishFailure(`${where}: abandoned`, false));
    const req = send(url, {
      method,
      headers,
      signal,
      ...(url.protocol === "https:"
        ? { rejectUnauthorized: !target.insecureSkipVerify, ...(target.ca ? { ca: target.ca } : {}) }
        : {}),
    });
    req.on("error", (e: NodeJS.ErrnoException) => {
      if (signal.aborted) return reject(new RedfishFailure(`${where}: no answer in time`, true));
      const { text, retryable } = describeNetworkError(e);
      reject(new RedfishFailure(`${where}: ${text}`, retryable));
    });
    req.on("response", (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        if (size <= MAX_BODY) chunks.push(c);
      });
      res.on("error", (e) => reject(new RedfishFailure(`${where}: ${e.message}`, true)));
      res.on("end", () => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) {
          const retryable = status === 429 || status >= 500;
          return reject(new RedfishFailure(`${where} answered ${statusText(status)}`, retryable));
        }
        const text = Buffer.concat(chunks).toString("utf8");
        if (text.trim() === "") return resolve({ status, body: undefined });
        try {
          resolve({ status, body: JSON.parse(text) as unknown });
        } catch {
          reject(new RedfishFailure(`${where} answered ${status} with a body that is not JSON`, false));
        }
      });
    });
    req.end(payload);
  });
}
