import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { writeFile } from "node:fs/promises";
import { createTestPki } from "@limiquantix/agent-client/testing";
import type { Node } from "@limiquantix/domain";
import { makeTempDir } from "@limiquantix/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigSchema } from "../config/schema";
import { type FakeRedfish, startFakeRedfish } from "../testing/fake-redfish";
import { type RedfishBmcSettings, RedfishFencer } from "./redfish-fencer";

let bmc: FakeRedfish | undefined;
afterEach(async () => {
  await bmc?.close();
  bmc = undefined;
});

const node = (name: string) => ({ id: `id-${name}`, name }) as Node;

function fencer(
  nodes: Record<string, Partial<RedfishBmcSettings> & { endpoint: string }>,
  timing: { powerOffTimeoutSec?: number; requestTimeoutSec?: number } = {},
) {
  const settings = ConfigSchema.parse({
    ha: {
      fencing: {
        redfish: {
          pollIntervalSec: 0.05,
          ...timing,
          nodes: Object.fromEntries(
            Object.entries(nodes).map(([k, v]) => [
              k,
              { username: "admin", passwordEnv: "BMC_PASSWORD", ...v },
            ]),
          ),
        },
      },
    },
  }).ha.fencing.redfish;
  return new RedfishFencer(settings, { attempts: 2, retryDelayMs: 10, env: { BMC_PASSWORD: "s3cret" } });
}

describe("RedfishFencer", () => {
  it("answers fenced once ForceOff was posted and PowerState reads Off, with basic auth on every request", async () => {
    bmc = await startFakeRedfish({ offAfterReads: 2 });
    const f = fencer({ a: { endpoint: bmc.url } });
    expect(f.handles(node("a"))).toBe(true);
    expect(f.handles(node("b"))).toBe(false);

    const result = await f.fence(node("a"));
    expect(result).toMatchObject({ outcome: "fenced" });
    expect(result.outcome === "fenced" && result.message).toMatch(/ForceOff of \/redfish\/v1\/Systems\/1/);
    expect(bmc.power.get("1")).toBe("Off");
    const post = bmc.requests.filter((r) => r.method === "POST");
    expect(post).toEqual([
      {
        method: "POST",
        path: "/redfish/v1/Systems/1/Actions/ComputerSystem.Reset",
        authorization: `Basic ${Buffer.from("admin:s3cret").toString("base64")}`,
        body: { ResetType: "ForceOff" },
      },
    ]);
    expect(new Set(bmc.requests.map((r) => r.authorization))).toEqual(
      new Set([`Basic ${Buffer.from("admin:s3cret").toString("base64")}`]),
    );
    // Discovered through the Systems collection, as no systemId was configured.
    expect(bmc.requests[0]?.path).toBe("/redfish/v1/Systems");
  });

  it("resets the configured systemId and reads the password from a file", async () => {
    bmc = await startFakeRedfish({
      systems: ["System.Embedded.1", "System.Embedded.2"],
      password: "from-file",
    });
    const dir = await makeTempDir("redfish");
    try {
      const file = `${dir.path}/bmc.pass`;
      await writeFile(file, "from-file\n");
      const f = fencer({
        a: { endpoint: bmc.url, systemId: "System.Embedded.2", passwordFile: file, passwordEnv: undefined },
      });
      expect(await f.fence(node("a"))).toMatchObject({ outcome: "fenced" });
      expect(bmc.power.get("System.Embedded.2")).toBe("Off");
      expect(bmc.power.get("System.Embedded.1")).toBe("On");
    } finally {
      await dir.remove();
    }
  });

  it("answers fenced without a reset when the system is already Off", async () => {
    bmc = await startFakeRedfish();
    bmc.power.set("1", "Off");
    const result = await fencer({ a: { endpoint: bmc.url, systemId: "1" } }).fence(node("a"));
    expect(result).toMatchObject({ outcome: "fenced", message: expect.stringMatching(/already Off/) });
    expect(bmc.requests.some((r) => r.method === "POST")).toBe(false);
  });

  it("fails with the status when the BMC refuses the credentials (401), without retrying", async () => {
    bmc = await startFakeRedfish({ password: "other" });
    const result = await fencer({ a: { endpoint: bmc.url } }).fence(node("a"));
    expect(result).toMatchObject({ outcome: "failed", reason: expect.stringMatching(/401 Unauthorized/) });
    expect(bmc.requests).toHaveLength(1);
    expect(bmc.power.get("1")).toBe("On");
  });

  it("fails when the system never reaches Off within powerOffTimeoutSec", async () => {
    bmc = await startFakeRedfish({ powersOff: false });
    const started = Date.now();
    const result = await fencer({ a: { endpoint: bmc.url } }, { powerOffTimeoutSec: 1 }).fence(node("a"));
    expect(result).toMatchObject({
      outcome: "failed",
      reason: expect.stringMatching(/still reports PowerState On 1 s after ForceOff/),
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("fails with 'connection refused' when nothing listens at the endpoint, after retrying", async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    const result = await fencer({ a: { endpoint: `http://127.0.0.1:${port}` } }).fence(node("a"));
    expect(result).toMatchObject({ outcome: "failed", reason: expect.stringMatching(/connection refused/) });
  });

  it("fails when several systems are listed and no systemId says which", async () => {
    bmc = await startFakeRedfish({ systems: ["1", "2"] });
    const result = await fencer({ a: { endpoint: bmc.url } }).fence(node("a"));
    expect(result).toMatchObject({
      outcome: "failed",
      reason: expect.stringMatching(/lists 2 systems.*set systemId/),
    });
  });

  it("fails when the password's environment variable is not set", async () => {
    bmc = await startFakeRedfish();
    const result = await fencer({ a: { endpoint: bmc.url, passwordEnv: "NOT_SET_ANYWHERE" } }).fence(
      node("a"),
    );
    expect(result).toMatchObject({
      outcome: "failed",
      reason: expect.stringMatching(/NOT_SET_ANYWHERE.*not set/),
    });
    expect(bmc.requests).toHaveLength(0);
  });

  it("verifies the BMC's certificate: refused without its CA, fenced with caFile or insecureSkipVerify", async () => {
    const pki = createTestPki("bmc-ca");
    const issued = pki.nodeCertificate("bmc-a");
    bmc = await startFakeRedfish({ tls: { cert: issued.cert, key: issued.key } });
    const untrusted = await fencer({ a: { endpoint: bmc.url } }).fence(node("a"));
    expect(untrusted).toMatchObject({
      outcome: "failed",
      reason: expect.stringMatching(/TLS error.*caFile/),
    });
    expect(bmc.requests).toHaveLength(0);

    const dir = await makeTempDir("redfish-ca");
    try {
      await writeFile(`${dir.path}/ca.pem`, issued.ca);
      const trusted = await fencer({ a: { endpoint: bmc.url, caFile: `${dir.path}/ca.pem` } }).fence(
        node("a"),
      );
      expect(trusted).toMatchObject({ outcome: "fenced" });
    } finally {
      await dir.remove();
    }
    bmc.power.set("1", "On");
    const skipped = await fencer({ a: { endpoint: bmc.url, insecureSkipVerify: true } }).fence(node("a"));
    expect(skipped).toMatchObject({ outcome: "fenced" });
  });

  it("fails with a TLS error when an https endpoint does not speak TLS", async () => {
    bmc = await startFakeRedfish();
    const result = await fencer({ a: { endpoint: bmc.url.replace("http:", "https:") } }).fence(node("a"));
    expect(result).toMatchObject({ outcome: "failed", reason: expect.stringMatching(/TLS error.*caFile/) });
  });
});

describe("ha.fencing.redfish configuration", () => {
  it("names the key of a BMC entry without a password source", () => {
    const r = ConfigSchema.safeParse({
      ha: { fencing: { redfish: { nodes: { a: { endpoint: "https://bmc-a", username: "admin" } } } } },
    });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(["ha", "fencing", "redfish", "nodes", "a", "passwordFile"]);
  });

  it("refuses an endpoint that is not an http(s) URL and an unknown key", () => {
    const r = ConfigSchema.safeParse({
      ha: {
        fencing: {
          redfish: {
            nodes: { a: { endpoint: "ftp://bmc-a", username: "u", passwordEnv: "P", password: "x" } },
          },
        },
      },
    });
    expect(r.success).toBe(false);
    const paths = r.error?.issues.map((i) => [...i.path, ...("keys" in i ? i.keys : [])].join("."));
    expect(paths).toEqual(
      expect.arrayContaining(["ha.fencing.redfish.nodes.a.endpoint", "ha.fencing.redfish.nodes.a.password"]),
    );
  });
});
