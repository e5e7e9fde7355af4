import { Code, ConnectError, createClient, type Client, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import type { DescService } from "@bufbuild/protobuf";
import { iam } from "@limiquantix/api";
import { pino } from "pino";
import type { ConfigInput } from "../../config/schema";
import { type RunningServer, startServer } from "../../runtime/server";
import { testConfig } from "../../testing/server-config";
import { adminToken, withBearer } from "../../testing/signed-in";

/** AccessHarness is a dev-mode server with authentication on, an admin token and typed clients. */
export interface AccessHarness {
  readonly server: RunningServer;
  readonly admin: string;
  transport(token?: string, protocol?: "connect" | "grpc"): Transport;
  client<S extends DescService>(service: S, token?: string, protocol?: "connect" | "grpc"): Client<S>;
  /** user creates a user with a role or project memberships and signs it in; it returns its access token and id. */
  user(
    name: string,
    init: { role?: iam.Role; projects?: { projectId: string; role: iam.Role }[] },
  ): Promise<{ token: string; id: string; refreshToken: string }>;
  close(): Promise<void>;
}

/** PASSWORD is every test user's password. */
export const PASSWORD = "a-long-enough-password";

/** startAccessHarness starts the server. */
export async function startAccessHarness(overrides: ConfigInput = {}): Promise<AccessHarness> {
  const server = await startServer(testConfig({ mode: "dev", ...overrides }), {
    logger: pino({ level: "silent" }),
    version: "test",
  });
  const admin = await adminToken(server);
  const transport = (token?: string, protocol: "connect" | "grpc" = "connect") => {
    const interceptors = token ? [withBearer(token)] : [];
    return protocol === "grpc"
      ? createGrpcTransport({ baseUrl: server.url, interceptors })
      : createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", interceptors });
  };
  const client = <S extends DescService>(service: S, token?: string, protocol?: "connect" | "grpc") =>
    createClient(service, transport(token, protocol));
  return {
    server,
    admin,
    transport,
    client,
    async user(name, init) {
      const { user } = await client(iam.UserService, admin).createUser({
        username: name,
        email: `${name}@example.com`,
        role: init.role ?? iam.Role.UNSPECIFIED,
        password: PASSWORD,
        projectMemberships: init.projects ?? [],
      });
      const login = await client(iam.AuthService).login({ username: name, password: PASSWORD });
      return { token: login.accessToken, id: user!.id, refreshToken: login.refreshToken };
    },
    close: () => server.stop(),
  };
}

/** codeOf runs a call and returns the Connect code it failed with, or "ok". */
export async function codeOf(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
    return "ok";
  } catch (e) {
    return Code[ConnectError.from(e).code] as string;
  }
}

/** failureOf runs a call that must fail and returns its Connect code and message. */
export async function failureOf(call: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await call();
  } catch (e) {
    const err = ConnectError.from(e);
    return { code: Code[err.code] as string, message: err.rawMessage };
  }
  throw new Error("the call succeeded");
}
