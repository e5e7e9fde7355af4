import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createTestPki, createTestPkiAsync, issueCertificate, issueCertificateAuthority } from "./test-pki";

describe("test PKI", () => {
  it("issues node certificates signed by the CA with the node name, localhost and 127.0.0.1", () => {
    const pki = createTestPki();
    const cert = new X509Certificate(pki.nodeCertificate("node-a").cert);
    expect(cert.verify(new X509Certificate(pki.ca.cert).publicKey)).toBe(true);
    expect(cert.subjectAltName).toContain("DNS:node-a");
    expect(cert.subjectAltName).toContain("IP Address:127.0.0.1");
    expect(cert.checkHost("node-a")).toBe("node-a");
    expect(pki.nodeCertificate("node-a")).toBe(pki.nodeCertificate("node-a"));
  });

  it("does not chain a certificate of one CA to another CA", () => {
    const a = issueCertificateAuthority("a");
    const b = issueCertificateAuthority("b");
    const leaf = new X509Certificate(issueCertificate(a, { commonName: "x", usage: "client" }).cert);
    expect(leaf.verify(new X509Certificate(b.cert).publicKey)).toBe(false);
    expect(leaf.checkIssued(new X509Certificate(a.cert))).toBe(true);
  });

  it("issues the same PKI with its keys generated off the main thread", async () => {
    const pki = await createTestPkiAsync("async-ca");
    const ca = new X509Certificate(pki.ca.cert);
    expect(ca.subject).toContain("CN=async-ca");
    expect(ca.ca).toBe(true);
    const client = new X509Certificate(pki.client.cert);
    expect(client.verify(ca.publicKey)).toBe(true);
    expect(client.subject).toContain("CN=limiquantix-control-plane");
    expect(client.keyUsage).toContain("1.3.6.1.5.5.7.3.2");
    const node = new X509Certificate(pki.nodeCertificate("node-b").cert);
    expect(node.verify(ca.publicKey)).toBe(true);
    // Each key is its own: the client's is not the CA's.
    expect(pki.client.key).not.toBe(pki.ca.key);
  });
});
