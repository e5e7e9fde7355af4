import { X509Certificate } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { create, type DescService } from "@bufbuild/protobuf";
import { type Client, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { createTestPki } from "@limiquantix/agent-client/testing";
import { compute, iam } from "@limiquantix/api";
import type { NodeLiveness } from "@limiquantix/domain";
import { eventually } from "@limiquantix/domain/conformance";
import { makeTempDir, type TempDir } from "@limiquantix/testkit";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMPUTE } from "../../compute/compute-ids";
import type { ConfigInput } from "../../config/schema";
import { type RunningServer, startServer } from "../../runtime/server";
import { testCsr } from "../../testing/node-csr";
import { testConfig } from "../../testing/server-config";
import { adminToken, withBearer } from "../../testing/signed-in";
import { ClusterCa, generateCa } from "../nodes/cluster-ca";
import { parseNodeCsr } from "../nodes/node-csr";
import { codeOf, failureOf } from "./access-support";

const spec = (hostname: string) =>
  create(compute.NodeSpecSchema, {
    hostname,
    managementIp: "10.0.0.9",
    agentAddress: "127.0.0.1:1",
    cpu: { sockets: 1, coresPerSocket: 4, threadsPerCore: 1 },
    memoryMib: 8192n,
  });

/** Identity is how a test client calls: a bearer token, a client certificate and its key, or neither. */
interface Identity {
  readonly token?: string;
  readonly cert?: string;
  readonly key?: string;
}

/** TlsServer is a dev-mode server listening with TLS, whose certificate names localhost and 127.0.0.1. */
interface TlsServer {
  readonly server: RunningServer;
  readonly admin: string;
  client<S extends DescService>(service: S, who?: Identity, protocol?: "connect" | "grpc"): Client<S>;
  close(): Promise<void>;
}

async function startTlsServer(dir: TempDir, overrides: ConfigInput = {}): Promise<TlsServer> {
  const pki = createTestPki("api-listener-ca");
  const listener = pki.nodeCertificate("localhost");
  const certFile = join(dir.path, "server.crt");
  const keyFile = join(dir.path, "server.key");
  const caFile = join(dir.path, "server-ca.crt");
  await writeFile(certFile, listener.cert);
  await writeFile(keyFile, listener.key);
  await writeFile(caFile, pki.ca.cert);
  const server = await startServer(
    testConfig({ mode: "dev", ...overrides, server: { tls: { certFile, keyFile, caFile } } }),
    { logger: pino({ level: "silent" }), version: "test" },
  );
  const admin = await adminToken(server);
  return {
    server,
    admin,
    client(service, who = {}, protocol = "connect") {
      const nodeOptions = {
        ca: pki.ca.cert,
        ...(who.cert ? { cert: who.cert, key: who.key } : {}),
      };
      const interceptors = who.token ? [withBearer(who.token)] : [];
      const transport =
        protocol === "grpc"
          ? createGrpcTransport({ baseUrl: server.url, nodeOptions, interceptors })
          : createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", nodeOptions, interceptors });
      return createClient(service, transport);
    },
    close: () => server.stop(),
  };
}

describe("node certificates over a TLS listener", () => {
  let dir: TempDir;
  let t: TlsServer;
  let seq = 0;
  const tokenFor = async (uses = 1) =>
    (
      await t
        .client(compute.NodeJoinService, { token: t.admin })
        .createJoinToken({ name: `certs-${++seq}`, maxUses: uses })
    ).token;
  /** joinWithCsr joins a node with a new EC P-256 key and returns the answer and the key. */
  const joinWithCsr = async (name: string) => {
    const { csrPem, keyPem } = testCsr("ec-p256", { commonName: name });
    const joined = await t
      .client(compute.NodeJoinService)
      .joinNode({ joinToken: await tokenFor(), name, spec: spec(`${name}.lab`), csrPem });
    return { joined, nodeId: joined.node!.id, who: { cert: joined.certificatePem, key: keyPem } };
  };

  beforeAll(async () => {
    dir = await makeTempDir("node-certs");
    t = await startTlsServer(dir);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await dir?.remove();
  });

  it("answers a join with a CSR with a client certificate for the node, signed by the cluster CA", async () => {
    const { joined, nodeId } = await joinWithCsr("cert-1");
    const cert = new X509Certificate(joined.certificatePem);
    const ca = new X509Certificate(joined.caPem);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.subject).toBe(`CN=${nodeId}`);
    expect(cert.subjectAltName).toContain(`URI:urn:limiquantix:node:${nodeId}`);
    expect(cert.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
    const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
    expect(Math.round(days)).toBe(90);
  });

  it("lets a node heartbeat with its certificate and no bearer token, over HTTP/1.1 and HTTP/2", async () => {
    const { nodeId, who } = await joinWithCsr("cert-2");
    for (const protocol of ["connect", "grpc"] as const) {
      const beat = await t
        .client(compute.NodeService, who, protocol)
        .heartbeat({ nodeId, agentVersion: "cert-agent" });
      expect(beat.phase).toBe(compute.NodePhase.READY);
    }
    const me = await t.client(iam.AuthService, who).whoAmI({});
    // Authenticated (WhoAmI needs a principal), as a node: no role, no projects.
    expect(me.permissions).toEqual([]);
  });

  it("does not let node A's certificate heartbeat for node B", async () => {
    const a = await joinWithCsr("cert-a");
    const b = await joinWithCsr("cert-b");
    const refused = await failureOf(() =>
      t.client(compute.NodeService, a.who).heartbeat({ nodeId: b.nodeId }),
    );
    expect(refused.code).toBe("PermissionDenied");
    expect(await codeOf(() => t.client(compute.NodeService, a.who).listNodes({}))).toBe("PermissionDenied");
  });

  it("does not authenticate a certificate from a foreign CA", async () => {
    const { nodeId } = await joinWithCsr("cert-foreign");
    const made = generateCa();
    const foreign = ClusterCa.fromPem(made.certPem, made.keyPem, "ephemeral");
    const { csrPem, keyPem } = testCsr("ec-p256");
    const forged = foreign.issue(parseNodeCsr(csrPem), { nodeId, sessionId: "made-up-session-id" }, 90);
    const who = { cert: forged.certificatePem, key: keyPem };
    expect(await codeOf(() => t.client(compute.NodeService, who).heartbeat({ nodeId }))).toBe(
      "Unauthenticated",
    );
    // The caller is anonymous, as if it had presented no certificate: public calls still work.
    expect(
      await codeOf(() =>
        t.client(iam.AuthService, who).login({ username: "nobody", password: "x".repeat(12) }),
      ),
    ).toBe("Unauthenticated");
  });

  it("refuses a node's bearer token for Heartbeat, saying to present the node certificate", async () => {
    const { joined, nodeId } = await joinWithCsr("cert-bearer");
    const refused = await failureOf(() =>
      t.client(compute.NodeService, { token: joined.accessToken }).heartbeat({ nodeId }),
    );
    expect(refused.code).toBe("Unauthenticated");
    expect(refused.message).toMatch(/node certificate/);
    // Users keep their bearer tokens over TLS, and need no certificate.
    expect(
      await codeOf(() => t.client(compute.NodeService, { token: t.admin }).getNode({ id: nodeId })),
    ).toBe("ok");
  });

  it("refuses a malformed CSR as InvalidArgument naming csr_pem, and spends no use of the token", async () => {
    const admin = t.client(compute.NodeJoinService, { token: t.admin });
    const { token, joinToken } = await admin.createJoinToken({ name: "bad-csr" });
    for (const csrPem of [
      "not a csr",
      testCsr("rsa-1024").csrPem,
      testCsr("ed25519", { tamper: true }).csrPem,
    ]) {
      const refused = await failureOf(() =>
        t
          .client(compute.NodeJoinService)
          .joinNode({ joinToken: token, name: "bad-csr-1", spec: spec("bad.lab"), csrPem }),
      );
      expect(refused.code).toBe("InvalidArgument");
      expect(refused.message).toMatch(/csr_pem/);
    }
    expect((await admin.getJoinToken({ id: joinToken!.id })).joinToken?.uses).toBe(0);
    expect(await t.server.services.deps.repos.nodes.findByHostname("bad.lab")).toBeUndefined();
  });

  it("renews the certificate with RefreshNodeCredentials, and a bad CSR spends no refresh token", async () => {
    const { joined, nodeId } = await joinWithCsr("cert-renew");
    const joins = t.client(compute.NodeJoinService);
    expect(
      await codeOf(() =>
        joins.refreshNodeCredentials({ refreshToken: joined.refreshToken, csrPem: "garbage" }),
      ),
    ).toBe("InvalidArgument");
    const next = testCsr("ed25519");
    const renewed = await joins.refreshNodeCredentials({
      refreshToken: joined.refreshToken,
      csrPem: next.csrPem,
    });
    expect(new X509Certificate(renewed.certificatePem).subject).toBe(`CN=${nodeId}`);
    expect(renewed.caPem).toBe(joined.caPem);
    const who = { cert: renewed.certificatePem, key: next.keyPem };
    expect(await codeOf(() => t.client(compute.NodeService, who).heartbeat({ nodeId }))).toBe("ok");
  });

  it("stops a node's certificate and refresh token when the node is deleted", async () => {
    const { joined, nodeId, who } = await joinWithCsr("cert-gone");
    expect(await codeOf(() => t.client(compute.NodeService, who).heartbeat({ nodeId }))).toBe("ok");
    await t.client(compute.NodeService, { token: t.admin }).deleteNode({ id: nodeId });
    expect(await codeOf(() => t.client(compute.NodeService, who).heartbeat({ nodeId }))).toBe(
      "Unauthenticated",
    );
    expect(
      await codeOf(() =>
        t.client(compute.NodeJoinService).refreshNodeCredentials({ refreshToken: joined.refreshToken }),
      ),
    ).toBe("Unauthenticated");
  });
});

describe("simulated nodes over a TLS listener", () => {
  let dir: TempDir;
  let t: TlsServer;
  beforeAll(async () => {
    dir = await makeTempDir("sim-certs");
    t = await startTlsServer(dir, { simulation: { nodes: 2, bootDelayMs: 0, heartbeatIntervalSec: 1 } });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await dir?.remove();
  });

  it("join with a CSR and send heartbeats with their certificates", async () => {
    const ids = [...(t.server.sims?.nodeIds.values() ?? [])];
    expect(ids).toHaveLength(2);
    // Beats land in the liveness record (stored heartbeats are coalesced): each node's must be
    // newer than this point, and only an authenticated heartbeat records one.
    const liveness = t.server.container.get<NodeLiveness>(COMPUTE.liveness);
    const since = Date.now();
    // A node bearer token is refused over TLS, so a heartbeat that lands came with the certificate.
    await eventually(async () => {
      const beats = await liveness.lastBeats();
      for (const id of ids) expect(beats.get(id) ?? 0).toBeGreaterThan(since);
    }, 10_000);
  });
});
