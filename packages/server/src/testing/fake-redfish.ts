import { createServer, type IncomingMessage, type RequestListener, type Server } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";

/** FakeRedfishOptions shape how a fake BMC behaves. */
export interface FakeRedfishOptions {
  readonly username?: string;
  readonly password?: string;
  /** The system ids /redfish/v1/Systems lists (default `["1"]`). */
  readonly systems?: readonly string[];
  /** Whether ForceOff ever takes the system Off (default true). */
  readonly powersOff?: boolean;
  /** How many PowerState reads after ForceOff still say On (default 1). */
  readonly offAfterReads?: number;
  /** Awaited before a reset is answered (to hold a fencing in flight). */
  readonly beforeReset?: () => Promise<void>;
  /** Serve HTTPS with this certificate and key (PEM) instead of plain HTTP. */
  readonly tls?: { readonly cert: string; readonly key: string };
}

/** FakeRedfish is a small Redfish service on a random loopback port, for tests of the Redfish fencer. */
export interface FakeRedfish {
  readonly url: string;
  /** PowerState of each system. */
  readonly power: Map<string, "On" | "Off">;
  /** Each request: method, path, the Authorization header and the JSON body. */
  readonly requests: { method: string; path: string; authorization?: string; body?: unknown }[];
  close(): Promise<void>;
}

async function bodyOf(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? (JSON.parse(text) as unknown) : undefined;
}

/** startFakeRedfish starts a fake BMC that answers the service root, Systems, a system and its Reset action. */
export async function startFakeRedfish(options: FakeRedfishOptions = {}): Promise<FakeRedfish> {
  const user = options.username ?? "admin";
  const pass = options.password ?? "s3cret";
  const systems = options.systems ?? ["1"];
  const power = new Map<string, "On" | "Off">(systems.map((id) => [id, "On"]));
  const pendingReads = new Map<string, number>();
  const requests: FakeRedfish["requests"] = [];
  const expected = `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
  const handler: RequestListener = async (req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname.replace(/\/$/, "");
    const body = req.method === "POST" ? await bodyOf(req) : undefined;
    requests.push({
      method: req.method ?? "",
      path,
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      ...(body !== undefined ? { body } : {}),
    });
    const send = (status: number, json?: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(json === undefined ? "" : JSON.stringify(json));
    };
    if (req.headers.authorization !== expected) return send(401, { error: { message: "unauthorized" } });
    if (path === "/redfish/v1/Systems")
      return send(200, { Members: systems.map((id) => ({ "@odata.id": `/redfish/v1/Systems/${id}` })) });
    const m = /^\/redfish\/v1\/Systems\/([^/]+)(\/Actions\/ComputerSystem\.Reset)?$/.exec(path);
    const id = m ? decodeURIComponent(m[1]!) : undefined;
    if (!id || !power.has(id)) return send(404, { error: { message: "no such resource" } });
    if (m![2]) {
      if (req.method !== "POST") return send(405);
      if ((body as { ResetType?: string } | undefined)?.ResetType !== "ForceOff") return send(400);
      await options.beforeReset?.();
      if (options.powersOff ?? true) pendingReads.set(id, options.offAfterReads ?? 1);
      return send(204);
    }
    const left = pendingReads.get(id);
    if (left !== undefined) {
      if (left <= 0) {
        power.set(id, "Off");
        pendingReads.delete(id);
      } else pendingReads.set(id, left - 1);
    }
    return send(200, {
      Id: id,
      PowerState: power.get(id),
      Actions: {
        "#ComputerSystem.Reset": {
          target: `/redfish/v1/Systems/${id}/Actions/ComputerSystem.Reset`,
          "ResetType@Redfish.AllowableValues": ["On", "ForceOff", "GracefulShutdown", "ForceRestart"],
        },
      },
    });
  };
  const server: Server = options.tls ? createTlsServer(options.tls, handler) : createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
    power,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
