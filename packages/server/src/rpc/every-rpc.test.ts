import { create, type DescMethod } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { API_SERVICES, audit, drs, health } from "@limiquantix/api";
import { ContainerModule } from "inversify";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../runtime/server";
import type { CallContext } from "../context/call-context";
import { POLICY } from "../auth/policy/policy-table";
import { testConfig } from "../testing/server-config";
import { asAdmin } from "../testing/signed-in";
import { route, RpcRoute } from "./route";

// The whole server, plain HTTP routes included: a path no RPC serves falls through to them.
let server: RunningServer;
let grpc: Transport;
let connect: Transport;
let anonymous: Transport;
const seen: CallContext[] = [];
beforeAll(async () => {
  // An integrator's route on a service no area serves, to see the call context the edge builds.
  const probe = new ContainerModule(({ bind }) => {
    // An integrator withdrawing a service: every method answers Unimplemented.
    bind(RpcRoute).toConstantValue(route(drs.DRSService, {}));
    bind(RpcRoute).toConstantValue(
      route(audit.AuditService, {
        async listAuditEntries(ctx) {
          seen.push(ctx);
          return {};
        },
      }),
    );
  });
  server = await startServer(testConfig({ mode: "dev" }), {
    logger: pino({ level: "silent" }),
    version: "test",
    modules: [probe],
  });
  const admin = await asAdmin(server);
  grpc = createGrpcTransport({ baseUrl: server.url, interceptors: [admin] });
  connect = createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", interceptors: [admin] });
  anonymous = createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" });
});
afterAll(async () => {
  await server?.stop();
});

type AnyCall = (req: unknown, options?: { signal?: AbortSignal; timeoutMs?: number }) => unknown;

/** outcome calls one method with an empty request and says how it ended: "ok" or the Connect code's name. */
async function outcome(transport: Transport, method: DescMethod): Promise<string> {
  const client = createClient(method.parent, transport) as unknown as Record<string, AnyCall>;
  const call = client[method.localName]!;
  const request = create(method.input);
  try {
    if (method.methodKind === "server_streaming") {
      const abort = new AbortController();
      const stream = call(request, { signal: abort.signal, timeoutMs: 1000 }) as AsyncIterable<unknown>;
      for await (const _ of stream) {
        abort.abort();
        break;
      }
    } else await call(request, { timeoutMs: 5000 });
    return "ok";
  } catch (e) {
    return Code[ConnectError.from(e).code];
  }
}

const methods = API_SERVICES.flatMap((service) =>
  service.methods.map((m) => [`${service.typeName}/${m.name}`, m] as const),
);

describe("every RPC of every service", () => {
  it("covers the whole API", () => {
    expect(methods.length).toBeGreaterThan(100);
  });

  for (const [protocol, pick] of [
    ["gRPC", () => grpc],
    ["Connect", () => connect],
  ] as const) {
    it(`answers each one over ${protocol} with a code it means: served, or Unimplemented naming the method`, async () => {
      const unknown: string[] = [];
      for (const [name, method] of methods) {
        const code = await outcome(pick(), method);
        if (code === "Unknown" || code === "Internal") unknown.push(`${name}: ${code}`);
      }
      expect(unknown).toEqual([]);
    });
  }

  it("refuses each one to a caller without a token, except signing in and health", async () => {
    const wrong: string[] = [];
    for (const [name, method] of methods) {
      const open = POLICY[name]?.access === "public";
      const code = await outcome(anonymous, method);
      if (open ? code === "Unauthenticated" : code !== "Unauthenticated") wrong.push(`${name}: ${code}`);
    }
    expect(wrong).toEqual([]);
  });

  it("names the method in the Unimplemented answer of a method no area serves", async () => {
    // The probe withdraws DRSService, so none of its methods is served.
    const method = API_SERVICES.flatMap((s) => s.methods).find((m) => m.name === "GetRecommendations")!;
    const client = createClient(method.parent, grpc) as unknown as Record<string, AnyCall>;
    const err = await (async () => {
      await client.getRecommendations!({});
    })().catch((e: unknown) => ConnectError.from(e));
    expect(err?.code).toBe(Code.Unimplemented);
    expect(err?.rawMessage).toContain("limiquantix.drs.v1.DRSService.GetRecommendations");
  });

  it("reports SERVING in gRPC health only for the services that serve, to callers without a token too", async () => {
    const checker = createClient(health.Health, createGrpcTransport({ baseUrl: server.url }));
    const status = async (service: string) => (await checker.check({ service })).status;
    expect(await status("")).toBe(health.HealthCheckResponse_ServingStatus.SERVING);
    expect(await status("limiquantix.compute.v1.VMService")).toBe(
      health.HealthCheckResponse_ServingStatus.SERVING,
    );
    expect(await status("limiquantix.iam.v1.UserService")).toBe(
      health.HealthCheckResponse_ServingStatus.SERVING,
    );
    expect(await status("limiquantix.drs.v1.DRSService")).toBe(
      health.HealthCheckResponse_ServingStatus.NOT_SERVING,
    );
    expect(await status("no.such.Service")).toBe(health.HealthCheckResponse_ServingStatus.SERVICE_UNKNOWN);
  });

  it("builds each call's context at the edge: request id, peer address, deadline, the principal of the token", async () => {
    const client = createClient(audit.AuditService, connect);
    await client.listAuditEntries({}, { headers: { "x-request-id": "probe-1" }, timeoutMs: 10_000 });
    const ctx = seen.at(-1)!;
    expect(ctx.requestId).toBe("probe-1");
    expect(ctx.peer).toMatch(/127\.0\.0\.1/);
    expect(ctx.deadline).toBeInstanceOf(Date);
    expect(ctx.principal).toMatchObject({ kind: "user", name: "admin", role: "admin" });
  });

  it("never runs the handler of a call without a token", async () => {
    const before = seen.length;
    const err = await createClient(audit.AuditService, anonymous)
      .listAuditEntries({})
      .catch((e: unknown) => ConnectError.from(e));
    expect((err as ConnectError).code).toBe(Code.Unauthenticated);
    expect(seen.length).toBe(before);
  });
});
