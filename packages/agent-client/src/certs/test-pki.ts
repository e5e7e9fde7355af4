import { generateKeyPair, generateKeyPairSync, type KeyObject, randomBytes } from "node:crypto";
import { isIP } from "node:net";
import forge from "node-forge";

/** CertificateAuthority is a throwaway CA: its certificate and private key, both PEM. */
export interface CertificateAuthority {
  readonly cert: string;
  readonly key: string;
}

/** IssuedCertificate is a leaf certificate with its private key and the CA that signed it, all PEM. */
export interface IssuedCertificate {
  readonly cert: string;
  readonly key: string;
  /** The signing CA's certificate, for the peer's trust store. */
  readonly ca: string;
}

/** CertificateRequest says whom a leaf certificate is for. */
export interface CertificateRequest {
  readonly commonName: string;
  /** DNS names and IP addresses for the subjectAltName; both kinds go in one list. */
  readonly altNames?: readonly string[];
  /** server (TLS server auth), client (TLS client auth), or both, as sim agents need when they call each other. */
  readonly usage?: "server" | "client" | "both";
  readonly validDays?: number;
}

/** KeyPair is an RSA key in the two shapes the issuer needs: PEM to hand out, forge's to sign with. */
interface KeyPair {
  privatePem: string;
  publicKey: forge.pki.PublicKey;
  privateKey: forge.pki.rsa.PrivateKey;
}

const RSA = { modulusLength: 2048 } as const;

function pairOf(privateKey: KeyObject): KeyPair {
  const privatePem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(privatePem) as forge.pki.rsa.PrivateKey;
  return { privatePem, privateKey: forgeKey, publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e) };
}

function keyPair(): KeyPair {
  // Node generates the key natively; forge only signs, which keeps issuing fast.
  return pairOf(generateKeyPairSync("rsa", RSA).privateKey);
}

/** keyPairAsync generates the key on libuv's thread pool, so the process goes on meanwhile. */
function keyPairAsync(): Promise<KeyPair> {
  return new Promise((resolve, reject) => {
    generateKeyPair("rsa", RSA, (err, _publicKey, privateKey) => {
      if (err) reject(err);
      else resolve(pairOf(privateKey));
    });
  });
}

function baseCertificate(publicKey: forge.pki.PublicKey, validDays: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // DER wants a positive, minimally encoded serial: the first byte in 0x01..0x7f.
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) % 0x7f) + 1;
  cert.serialNumber = serial.toString("hex");
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + validDays * 86_400_000);
  return cert;
}

/** issueCertificateAuthority creates a self-signed CA for tests and demos; never use it in production. */
export function issueCertificateAuthority(
  commonName = "limiquantix-test-ca",
  validDays = 30,
): CertificateAuthority {
  return authorityWith(keyPair(), commonName, validDays);
}

function authorityWith(
  { privatePem, privateKey, publicKey }: KeyPair,
  commonName: string,
  validDays: number,
): CertificateAuthority {
  const cert = baseCertificate(publicKey, validDays);
  const subject = [{ name: "commonName", value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  cert.sign(privateKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: privatePem };
}

/** issueCertificate signs a leaf certificate for a server, a client, or both, with the given CA. */
export function issueCertificate(ca: CertificateAuthority, request: CertificateRequest): IssuedCertificate {
  return certificateWith(ca, keyPair(), request);
}

function certificateWith(
  ca: CertificateAuthority,
  { privatePem, publicKey }: KeyPair,
  request: CertificateRequest,
): IssuedCertificate {
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const caKey = forge.pki.privateKeyFromPem(ca.key);
  const cert = baseCertificate(publicKey, request.validDays ?? 30);
  cert.setSubject([{ name: "commonName", value: request.commonName }]);
  cert.setIssuer(caCert.subject.attributes);
  const usage = request.usage ?? "server";
  const altNames = (request.altNames ?? []).map((n) =>
    isIP(n) ? { type: 7, ip: n } : { type: 2, value: n },
  );
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: usage !== "client", clientAuth: usage !== "server" },
    ...(altNames.length > 0 ? [{ name: "subjectAltName", altNames }] : []),
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: privatePem, ca: ca.cert };
}

/** TestPki is a CA plus a certificate for each named node and one for the control plane. */
export interface TestPki {
  readonly ca: CertificateAuthority;
  /** The control plane's client certificate. */
  readonly client: IssuedCertificate;
  /** nodeCertificate issues (once, then caches) a server-and-client certificate for a node. */
  nodeCertificate(nodeId: string): IssuedCertificate;
}

/**
 * createTestPki issues a throwaway CA and, on demand, certificates for nodes: each carries the node
 * id, `localhost` and 127.0.0.1 as subject alternative names, so agents can listen on loopback.
 */
export function createTestPki(name = "limiquantix-test-ca"): TestPki {
  const ca = issueCertificateAuthority(name);
  return pkiOf(ca, issueCertificate(ca, CONTROL_PLANE));
}

/**
 * createTestPkiAsync is createTestPki with the CA's and the control plane's keys generated on
 * libuv's thread pool, side by side, while the process goes on (a server starting up connects
 * to its backends meanwhile).
 */
export async function createTestPkiAsync(name = "limiquantix-test-ca"): Promise<TestPki> {
  const [caKeys, clientKeys] = await Promise.all([keyPairAsync(), keyPairAsync()]);
  const ca = authorityWith(caKeys, name, 30);
  return pkiOf(ca, certificateWith(ca, clientKeys, CONTROL_PLANE));
}

const CONTROL_PLANE: CertificateRequest = { commonName: "limiquantix-control-plane", usage: "client" };

function pkiOf(ca: CertificateAuthority, client: IssuedCertificate): TestPki {
  const nodes = new Map<string, IssuedCertificate>();
  return {
    ca,
    client,
    nodeCertificate(nodeId) {
      let issued = nodes.get(nodeId);
      if (!issued) {
        issued = issueCertificate(ca, {
          commonName: nodeId,
          altNames: [nodeId, "localhost", "127.0.0.1"],
          usage: "both",
        });
        nodes.set(nodeId, issued);
      }
      return issued;
    },
  };
}
