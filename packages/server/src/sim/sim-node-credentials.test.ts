import { create } from "@bufbuild/protobuf";
import { compute } from "@limiquantix/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AccessHarness, codeOf, startAccessHarness } from "../auth/test/access-support";
import { SimNodeCredentials } from "./sim-node-credentials";

describe("a simulated node's credentials", () => {
  let h: AccessHarness;
  beforeAll(async () => {
    h = await startAccessHarness();
  }, 60_000);
  afterAll(() => h?.close());

  it("are refreshed once two thirds of the access token's life have passed, one refresh at a time", async () => {
    const joins = h.client(compute.NodeJoinService);
    const { token } = await h.client(compute.NodeJoinService, h.admin).createJoinToken({ name: "sim" });
    const joined = await joins.joinNode({
      joinToken: token,
      name: "sim-x",
      spec: create(compute.NodeSpecSchema, {
        hostname: "sim-x",
        managementIp: "127.0.0.1",
        cpu: { sockets: 1, coresPerSocket: 2, threadsPerCore: 1 },
        memoryMib: 4096n,
      }),
    });
    let now = Date.now();
    const credentials = new SimNodeCredentials(joins, joined, () => now);
    expect(await credentials.token()).toBe(joined.accessToken);
    // accessTokenTtlSec is 900 by default: renewal is due after 600 s.
    now += 590_000;
    expect(await credentials.token()).toBe(joined.accessToken);
    now += 20_000;
    const [a, b] = await Promise.all([credentials.token(), credentials.token()]);
    expect(a).not.toBe(joined.accessToken);
    expect(b).toBe(a);
    const nodes = h.client(compute.NodeService, a);
    expect(await codeOf(() => nodes.heartbeat({ nodeId: joined.node!.id }))).toBe("ok");
    // The spent refresh token was not presented twice: the credentials are still live.
    expect(await credentials.token()).toBe(a);
  });
});
