import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createTestPki, issueCertificate, issueCertificateAuthority } from "./test-pki";

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
});
