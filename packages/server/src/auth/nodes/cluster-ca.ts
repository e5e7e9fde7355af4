import {
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  X509Certificate,
} from "node:crypto";
import type { NodeCsr } from "./node-csr";
import {
  type CertificateFields,
  certificateFieldsOf,
  commonNameOnly,
  fromDer,
  OID,
  signatureAlgorithmOf,
  signCertificate,
} from "./x509-der";

/** NODE_URI_PREFIX starts the SAN URI that names a certificate's node: `urn:limiquantix:node:<node id>`. */
export const NODE_URI_PREFIX = "urn:limiquantix:node:";
/** SESSION_URI_PREFIX starts the SAN URI that ties a certificate to the node's session: `urn:limiquantix:session:<id>`. */
export const SESSION_URI_PREFIX = "urn:limiquantix:session:";

/** CA_VALIDITY_DAYS is how long a CA this server generates lasts: ten years. */
const CA_VALIDITY_DAYS = 3650;
/** Clocks of nodes may run a little behind; a certificate is valid from a few minutes before it is issued. */
const BACKDATE_MS = 5 * 60_000;

/** NodeCertificate is a client certificate issued to a node, with the CA that signed it. */
export interface NodeCertificate {
  readonly certificatePem: string;
  readonly caPem: string;
  readonly expiresAt: Date;
}

/** CertifiedNode is who a verified node certificate speaks for. */
export interface CertifiedNode {
  readonly nodeId: string;
  readonly sessionId: string;
  readonly expiresAt: Date;
}

/** CaSource says where a cluster CA came from. */
export type CaSource = "configured" | "data-dir" | "ephemeral";

/** NewCa is a generated CA in PEM: its certificate and its private key (PKCS#8). */
export interface NewCa {
  readonly certPem: string;
  readonly keyPem: string;
}

/** generateCa makes a self-signed CA for node certificates: an EC P-256 key, valid ten years. */
export function generateCa(now = new Date()): NewCa {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const name = commonNameOnly(`limiquantix node CA ${randomBytes(4).toString("hex")}`);
  const certPem = signCertificate(
    {
      issuer: name,
      subject: name,
      spki: fromDer(publicKey.export({ type: "spki", format: "der" })),
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter: new Date(now.getTime() + CA_VALIDITY_DAYS * 86_400_000),
      role: "ca",
    },
    privateKey,
  );
  return { certPem, keyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
}

function uris(cert: X509Certificate): string[] {
  // Node writes the SAN as `URI:a, URI:b` (values with a comma would be quoted; ours have none).
  return (cert.subjectAltName ?? "")
    .split(", ")
    .filter((n) => n.startsWith("URI:"))
    .map((n) => n.slice(4));
}

/**
 * ClusterCa is the CA that signs nodes' client certificates, as the Kubernetes cluster CA signs
 * kubelets': each certificate names its node (CN and a SAN URI), is for TLS client
 * authentication only, and is tied to the node's session (a second SAN URI), so it stops working
 * when the node's credentials are revoked.
 */
export class ClusterCa {
  private readonly fields: CertificateFields;

  private constructor(
    /** The CA certificate (PEM), which nodes and the TLS listener trust. */
    readonly certPem: string,
    readonly certificate: X509Certificate,
    private readonly key: KeyObject,
    readonly source: CaSource,
  ) {
    this.fields = certificateFieldsOf(certificate.raw);
  }

  /**
   * fromPem loads a CA from its certificate and private key, checking that the certificate is a
   * CA's, has not expired, matches the key, and that the key can sign (RSA, EC P-256/P-384,
   * Ed25519). It throws an Error saying what is wrong.
   */
  static fromPem(certPem: string, keyPem: string, source: CaSource, now = new Date()): ClusterCa {
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(certPem);
    } catch (e) {
      throw new Error(`the CA certificate is not a PEM X.509 certificate (${(e as Error).message})`);
    }
    if (!certificate.ca) throw new Error("the CA certificate is not a CA's (basicConstraints CA:TRUE)");
    if (Date.parse(certificate.validTo) <= now.getTime())
      throw new Error(`the CA certificate expired on ${certificate.validTo}`);
    let key: KeyObject;
    try {
      key = createPrivateKey(keyPem);
    } catch (e) {
      throw new Error(`the CA key is not a PEM private key (${(e as Error).message})`);
    }
    if (!certificate.checkPrivateKey(key))
      throw new Error("the CA key does not belong to the CA certificate");
    signatureAlgorithmOf(key);
    return new ClusterCa(certPem, certificate, key, source);
  }

  /** issue signs a client certificate for a node's key, valid `days` (never beyond the CA's own expiry). */
  issue(
    csr: NodeCsr,
    node: { readonly nodeId: string; readonly sessionId: string },
    days: number,
    now = new Date(),
  ): NodeCertificate {
    const notAfter = new Date(
      Math.min(now.getTime() + days * 86_400_000, Date.parse(this.certificate.validTo)),
    );
    const certificatePem = signCertificate(
      {
        issuer: this.fields.subject,
        subject: commonNameOnly(node.nodeId),
        spki: csr.spki,
        notBefore: new Date(now.getTime() - BACKDATE_MS),
        notAfter,
        role: "client",
        uris: [`${NODE_URI_PREFIX}${node.nodeId}`, `${SESSION_URI_PREFIX}${node.sessionId}`],
        ...(this.fields.subjectKeyId ? { authorityKeyId: this.fields.subjectKeyId } : {}),
      },
      this.key,
    );
    return { certificatePem, caPem: this.certPem, expiresAt: notAfter };
  }

  /**
   * nodeOf reads who a client certificate speaks for, if this CA issued it for a node and it is
   * valid now: signed by this CA, for client authentication, its CN and node URI agreeing, with
   * a session URI. Anything else is undefined.
   */
  nodeOf(cert: X509Certificate, now = Date.now()): CertifiedNode | undefined {
    if (!cert.checkIssued(this.certificate) || !cert.verify(this.certificate.publicKey)) return undefined;
    const expiresAt = Date.parse(cert.validTo);
    if (!(Date.parse(cert.validFrom) <= now && now < expiresAt)) return undefined;
    if (!(cert.keyUsage ?? []).includes(OID.clientAuth)) return undefined;
    const names = uris(cert);
    const nodeId = names.find((u) => u.startsWith(NODE_URI_PREFIX))?.slice(NODE_URI_PREFIX.length);
    const sessionId = names.find((u) => u.startsWith(SESSION_URI_PREFIX))?.slice(SESSION_URI_PREFIX.length);
    if (!nodeId || !sessionId || cert.subject !== `CN=${nodeId}`) return undefined;
    return { nodeId, sessionId, expiresAt: new Date(expiresAt) };
  }
}
