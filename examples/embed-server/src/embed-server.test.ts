import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { compute, iam } from "@limiquantix/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "@limiquantix/server";
import { startEmbedded } from "./embed-server";
import { signInAsAdmin } from "./sign-in";

let server: RunningServer;
beforeAll(async () => {
  server = await startEmbedded("acme");
});
afterAll(async () => {
  await server.stop();
});

describe("an embedded control plane", () => {
  it("serves the API with the integrator's project service in place of the built-in one", async () => {
    const auth = await signInAsAdmin(server);
    const t = createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", interceptors: [auth] });
    const { project } = await createClient(iam.ProjectService, t).createProject({ name: "web" });
    expect(project?.name).toBe("acme-web");
    // Everything else is the server's own.
    expect((await createClient(compute.NodeService, t).listNodes({})).nodes).toEqual([]);
  });

  it("refuses a call that carries no access token", async () => {
    const t = createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" });
    const error = await createClient(iam.ProjectService, t)
      .createProject({ name: "web" })
      .catch((e: unknown) => ConnectError.from(e));
    expect((error as ConnectError).code).toBe(Code.Unauthenticated);
  });
});
