import { X509Certificate } from "node:crypto";
import { stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { createTestPki } from "@limiquantix/agent-client/testing";
import { ErrorCode, hasErrorCode } from "@limiquantix/domain";
import { makeTempDir } from "@limiquantix/testkit";
import { describe, expect, it } from "vitest";
import { testCsr } from "../../testing/node-csr";
import { testConfig } from "../../testing/server-config";
import { ClusterCa, generateCa, NODE_URI_PREFIX } from "./cluster-ca";
import { loadClusterCa, loadDataDirCa, NODE_CA_CERT_FILE, NODE_CA_KEY_FILE } from "./cluster-ca-files";
import { NodeCredentialIssuer, type NodeCredentialOptions } from "./node-credentials";
import { parseNodeCsr } from "./node-csr";

const newCa = () => {
  const made = generateCa();
  return ClusterCa.fromPem(made.certPem, made.keyPem, "ephemeral");
};
const NODE = { nodeId: "node-7", sessionId: "session-of-node-7" };

describe("ClusterCa", () => {
  it("issues a client certificate naming the node, signed by the CA, for client authentication only", () => {
    const ca = newCa();
    const now = new Date();
    const issued = ca.issue(parseNodeCsr(testCsr("ec-p256").csrPem), NODE, 90, now);
    const cert = new X509Certificate(issued.certificatePem);
    expect(cert.verify(new X509Certificate(issued.caPem).publicKey)).toBe(true);
    expect(cert.checkIssued(ca.certificate)).toBe(true);
    expect(cert.subject).toBe("CN=node-7");
    expect(cert.subjectAltName).toContain(`URI:${NODE_URI_PREFIX}node-7`);
    expect(cert.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
    expect(cert.ca).toBe(false);
    const days = (Date.parse(cert.validTo) - now.getTime()) / 86_400_000;
    expect(days).toBeGreaterThan(89.99);
    expect(days).toBeLessThanOrEqual(90);
    expect(ca.nodeOf(cert)).toMatchObject(NODE);
  });

  it("issues for RSA and Ed25519 keys too, and signs with a configured RSA CA", () => {
    const pki = createTestPki("configured-node-ca");
    const ca = ClusterCa.fromPem(pki.ca.cert, pki.ca.key, "configured");
    for (const kind of ["rsa-2048", "ed25519"] as const) {
      const cert = new X509Certificate(ca.issue(parseNodeCsr(testCsr(kind).csrPem), NODE, 1).certificatePem);
      expect(cert.verify(ca.certificate.publicKey)).toBe(true);
      expect(ca.nodeOf(cert)?.nodeId).toBe("node-7");
    }
  });

  it("speaks for no node with a certificate of another CA, or one that is not a node's", () => {
    const ca = newCa();
    const foreign = newCa().issue(parseNodeCsr(testCsr("ec-p256").csrPem), NODE, 90);
    expect(ca.nodeOf(new X509Certificate(foreign.certificatePem))).toBeUndefined();
    expect(ca.nodeOf(ca.certificate)).toBeUndefined();
  });

  it("refuses a certificate that is not a CA's, or a key that is not its", () => {
    const pki = createTestPki("refusals");
    const leaf = pki.nodeCertificate("n1");
    expect(() => ClusterCa.fromPem(leaf.cert, leaf.key, "configured")).toThrow(/not a CA's/);
    expect(() => ClusterCa.fromPem(pki.ca.cert, leaf.key, "configured")).toThrow(/does not belong/);
    expect(() => ClusterCa.fromPem("nonsense", pki.ca.key, "configured")).toThrow(/not a PEM X.509/);
  });
});

describe("the cluster CA's home", () => {
  it("is generated into the data directory once and reused by every later start", async () => {
    const dir = await makeTempDir("node-ca");
    try {
      const config = testConfig({ mode: "embedded", dataDir: dir.path });
      const first = await loadClusterCa(config);
      const second = await loadClusterCa(config);
      expect(first?.source).toBe("data-dir");
      expect(second?.certPem).toBe(first?.certPem);
      const key = await stat(join(dir.path, "keys", NODE_CA_KEY_FILE));
      expect(key.mode & 0o777).toBe(0o600);
    } finally {
      await dir.remove();
    }
  });

  it("is not silently replaced when one of its files is missing", async () => {
    const dir = await makeTempDir("node-ca-half");
    try {
      await loadDataDirCa(dir.path);
      await unlink(join(dir.path, NODE_CA_CERT_FILE));
      await expect(loadDataDirCa(dir.path)).rejects.toThrow(
        /node-ca\.crt is missing while .*node-ca\.key exists/,
      );
    } finally {
      await dir.remove();
    }
  });

  it("is ephemeral in dev mode, configured files in any mode, and absent in production without them", async () => {
    const dev = await loadClusterCa(testConfig({ mode: "dev" }));
    expect(dev?.source).toBe("ephemeral");
    expect(await loadClusterCa(testConfig({ mode: "production" }))).toBeUndefined();
    await expect(
      loadClusterCa(
        testConfig({
          mode: "production",
          auth: { nodeCa: { certFile: "/nonexistent.crt", keyFile: "/x.key" } },
        }),
      ),
    ).rejects.toThrow(/auth\.nodeCa\.certFile: cannot read \/nonexistent\.crt/);
  });

  it("without one, a certificate request is FailedPrecondition saying how to configure it", () => {
    const issuer = new NodeCredentialIssuer({ certificateDays: 90 } as NodeCredentialOptions);
    try {
      issuer.checkCsr(testCsr("ec-p256").csrPem);
      throw new Error("accepted");
    } catch (e) {
      expect(hasErrorCode(e, ErrorCode.FailedPrecondition)).toBe(true);
      expect((e as Error).message).toMatch(/auth\.nodeCa\.certFile and auth\.nodeCa\.keyFile/);
    }
  });
});
