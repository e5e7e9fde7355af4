import { Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { iam, rpc } from "@limiquantix/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signIn } from "./sign-in";
import { adminPassword, startDevServer } from "./test-server";
import { describeFailure, freeCidr, walkthrough } from "./walkthrough";

describe("the README's walkthrough", () => {
  let server: Awaited<ReturnType<typeof startDevServer>>;
  beforeAll(async () => {
    server = await startDevServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("runs twice against the same server, the second time reusing what the first created", async () => {
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const auth = await signIn(createGrpcTransport({ baseUrl: server.url }), "admin", adminPassword(server));
    const first = await walkthrough(createGrpcTransport({ baseUrl: server.url, interceptors: [auth] }), {
      log,
    });
    expect(first.network.created).toBe(true);
    expect(first.vm).toMatchObject({ created: true, powerState: "RUNNING" });

    const second = await walkthrough(
      createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", interceptors: [auth] }),
      { log },
    );
    expect(second.network).toEqual({ ...first.network, created: false });
    expect(second.vm).toMatchObject({ id: first.vm.id, created: false, powerState: "RUNNING" });
    expect(lines).toContain(`using network walkthrough-lan (${first.network.cidr})`);
  });

  it("is refused without signing in, and says so in one line", async () => {
    const error = await walkthrough(createGrpcTransport({ baseUrl: server.url }), { log: () => {} }).catch(
      (e: unknown) => e,
    );
    expect(describeFailure(error)).toMatch(/^Unauthenticated: .*; check LQX_USERNAME and LQX_PASSWORD$/);
  });

  it("refuses a wrong password", async () => {
    const error = await signIn(
      createGrpcTransport({ baseUrl: server.url }),
      "admin",
      "not-the-password-1",
    ).catch((e: unknown) => ConnectError.from(e));
    expect((error as ConnectError).code).toBe(Code.Unauthenticated);
  });

  it("renews the access token before it expires, once for the calls made together", async () => {
    let refreshes = 0;
    const counting: Interceptor = (next) => (req) => {
      if (req.method.name === "Refresh") refreshes++;
      return next(req);
    };
    // Renewing a day ahead renews on every call: each batch of calls shares one renewal.
    const auth = await signIn(
      createGrpcTransport({ baseUrl: server.url, interceptors: [counting] }),
      "admin",
      adminPassword(server),
      { refreshBeforeMs: 86_400_000 },
    );
    const me = createClient(
      iam.AuthService,
      createGrpcTransport({ baseUrl: server.url, interceptors: [auth] }),
    );
    for (const batch of [1, 2]) {
      const answers = await Promise.all(Array.from({ length: 5 }, () => me.whoAmI({})));
      expect(answers.map((a) => a.user?.username)).toEqual(Array(5).fill("admin"));
      expect(refreshes).toBe(batch);
    }
  });
});

describe("freeCidr", () => {
  it("picks a /24 that overlaps none of the networks there are", () => {
    expect(freeCidr([])).toBe("10.20.0.0/24");
    expect(freeCidr(["10.20.0.0/24", "10.20.1.128/25"])).toBe("10.20.2.0/24");
    expect(freeCidr(["192.168.0.0/16", "10.19.255.0/24"])).toBe("10.20.0.0/24");
    expect(() => freeCidr(["10.0.0.0/8"])).toThrow(/every 10\.20\.N\.0\/24 is taken/);
  });
});

describe("describeFailure", () => {
  it("says in one line what the server refused and the request id to quote", () => {
    const error = new ConnectError("cidr overlaps network lan", Code.FailedPrecondition, undefined, [
      { desc: rpc.RequestInfoSchema, value: { requestId: "req-1" } },
    ]);
    expect(describeFailure(error)).toBe("FailedPrecondition: cidr overlaps network lan [request id req-1]");
  });
});
