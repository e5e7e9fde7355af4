import { createHash, type KeyObject, randomBytes, sign } from "node:crypto";
import type forge from "node-forge";
import { forgeLib } from "./forge-lib";

// forge's certificate code handles RSA keys only; its ASN.1 codec handles anything, so
// certificates are put together here from their parts and signed with node:crypto, which
// gives RSA, EC and Ed25519 keys alike.
type Asn1 = forge.asn1.Asn1;
// forge's asn1.Class values, fixed by X.690; forge itself loads on first use (forge-lib.ts).
const UNIVERSAL = 0x00 as forge.asn1.Class;
const CONTEXT = 0x80 as forge.asn1.Class;
const asn1 = () => forgeLib().asn1;

/** OID names the object identifiers node certificates use. */
export const OID = {
  commonName: "2.5.4.3",
  rsaEncryption: "1.2.840.113549.1.1.1",
  sha256WithRsa: "1.2.840.113549.1.1.11",
  sha384WithRsa: "1.2.840.113549.1.1.12",
  sha512WithRsa: "1.2.840.113549.1.1.13",
  ecPublicKey: "1.2.840.10045.2.1",
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  ecdsaWithSha384: "1.2.840.10045.4.3.3",
  ecdsaWithSha512: "1.2.840.10045.4.3.4",
  ed25519: "1.3.101.112",
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  authorityKeyIdentifier: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
  clientAuth: "1.3.6.1.5.5.7.3.2",
} as const;

/** seq is an ASN.1 SEQUENCE of items. */
export const seq = (...items: Asn1[]): Asn1 => asn1().create(UNIVERSAL, asn1().Type.SEQUENCE, true, items);
const set = (...items: Asn1[]): Asn1 => asn1().create(UNIVERSAL, asn1().Type.SET, true, items);
/** oid is an ASN.1 OBJECT IDENTIFIER. */
export const oid = (id: string): Asn1 =>
  asn1().create(UNIVERSAL, asn1().Type.OID, false, asn1().oidToDer(id).getBytes());
const octets = (bytes: Buffer): Asn1 =>
  asn1().create(UNIVERSAL, asn1().Type.OCTETSTRING, false, bytes.toString("binary"));
const bits = (bytes: Buffer, unused = 0): Asn1 =>
  asn1().create(
    UNIVERSAL,
    asn1().Type.BITSTRING,
    false,
    String.fromCharCode(unused) + bytes.toString("binary"),
  );
const bool = (value: boolean): Asn1 =>
  asn1().create(UNIVERSAL, asn1().Type.BOOLEAN, false, String.fromCharCode(value ? 0xff : 0));
const explicit = (tag: number, inner: Asn1): Asn1 =>
  asn1().create(CONTEXT, tag as forge.asn1.Type, true, [inner]);

/** integer is an ASN.1 INTEGER of an unsigned big-endian number, minimally encoded. */
function integer(unsigned: Buffer): Asn1 {
  let i = 0;
  while (i < unsigned.length - 1 && unsigned[i] === 0) i++;
  const trimmed = unsigned.subarray(i);
  const bytes = (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
  return asn1().create(UNIVERSAL, asn1().Type.INTEGER, false, bytes.toString("binary"));
}

/** time is a certificate time: UTCTime until 2049, GeneralizedTime after, as RFC 5280 says. */
function time(date: Date): Asn1 {
  return date.getUTCFullYear() < 2050
    ? asn1().create(UNIVERSAL, asn1().Type.UTCTIME, false, asn1().dateToUtcTime(date))
    : asn1().create(UNIVERSAL, asn1().Type.GENERALIZEDTIME, false, asn1().dateToGeneralizedTime(date));
}

/** toDer encodes an ASN.1 value. */
export function toDer(value: Asn1): Buffer {
  return Buffer.from(asn1().toDer(value).getBytes(), "binary");
}

/** fromDer decodes DER strictly (every byte consumed), leaving BIT STRING contents as they are. */
export function fromDer(der: Buffer): Asn1 {
  const decode = asn1().fromDer as unknown as (
    bytes: string,
    options: { parseAllBytes: boolean; decodeBitStrings: boolean },
  ) => Asn1;
  return decode(der.toString("binary"), { parseAllBytes: true, decodeBitStrings: false });
}

/** headerOf reads a DER tag and length at `at`: where the content starts and how long it is. */
function headerOf(der: Buffer, at: number): { start: number; length: number } {
  let i = at + 1;
  const first = der[i++];
  if (first === undefined) throw new Error("truncated DER");
  if (first < 0x80) return { start: i, length: first };
  const n = first & 0x7f;
  if (n === 0 || n > 4) throw new Error("unsupported DER length");
  let length = 0;
  for (let k = 0; k < n; k++) length = length * 256 + (der[i++] ?? 0);
  return { start: i, length };
}

/** elementsOf splits the content of a constructed DER value into its elements' encodings, byte for byte. */
export function elementsOf(der: Buffer): Buffer[] {
  const outer = headerOf(der, 0);
  const end = outer.start + outer.length;
  if (end > der.length) throw new Error("truncated DER");
  const out: Buffer[] = [];
  for (let at = outer.start; at < end; ) {
    const h = headerOf(der, at);
    if (h.start + h.length > end) throw new Error("truncated DER");
    out.push(der.subarray(at, h.start + h.length));
    at = h.start + h.length;
  }
  return out;
}

/** bytesOf is the content of a primitive ASN.1 value. */
export function bytesOf(value: Asn1 | undefined): Buffer {
  if (!value || typeof value.value !== "string") throw new Error("expected a primitive ASN.1 value");
  return Buffer.from(value.value, "binary");
}

/** childrenOf are the elements of a constructed ASN.1 value. */
export function childrenOf(value: Asn1 | undefined): Asn1[] {
  if (!value || !Array.isArray(value.value)) throw new Error("expected a constructed ASN.1 value");
  return value.value;
}

/** oidOf reads an OBJECT IDENTIFIER. */
export function oidOf(value: Asn1 | undefined): string {
  if (value?.tagClass !== UNIVERSAL || value.type !== asn1().Type.OID) throw new Error("expected an OID");
  return asn1().derToOid(bytesOf(value).toString("binary"));
}

/** commonNameOnly is a distinguished name with one attribute, the common name. */
export function commonNameOnly(cn: string): Asn1 {
  return seq(
    set(
      seq(
        oid(OID.commonName),
        asn1().create(UNIVERSAL, asn1().Type.UTF8, false, forgeLib().util.encodeUtf8(cn)),
      ),
    ),
  );
}

/** keyIdentifierOf is the RFC 5280 key identifier of a SubjectPublicKeyInfo: the SHA-1 of its key bits. */
export function keyIdentifierOf(spki: Asn1): Buffer {
  const key = bytesOf(childrenOf(spki)[1]);
  return createHash("sha1").update(key.subarray(1)).digest();
}

/** SignatureAlgorithm is how a CA key signs: the AlgorithmIdentifier and the digest node:crypto is given. */
interface SignatureAlgorithm {
  readonly id: Asn1;
  readonly digest: string | null;
}

/** signatureAlgorithmOf chooses the signature a CA key makes: SHA-256 with RSA or P-256, SHA-384 with P-384, or Ed25519. */
export function signatureAlgorithmOf(key: KeyObject): SignatureAlgorithm {
  const type = key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (type === "rsa")
    return {
      id: seq(oid(OID.sha256WithRsa), asn1().create(UNIVERSAL, asn1().Type.NULL, false, "")),
      digest: "sha256",
    };
  if (type === "ec" && curve === "prime256v1") return { id: seq(oid(OID.ecdsaWithSha256)), digest: "sha256" };
  if (type === "ec" && curve === "secp384r1") return { id: seq(oid(OID.ecdsaWithSha384)), digest: "sha384" };
  if (type === "ed25519") return { id: seq(oid(OID.ed25519)), digest: null };
  throw new Error(
    `a ${type}${curve ? ` ${curve}` : ""} key cannot sign node certificates: use RSA, EC P-256, EC P-384 or Ed25519`,
  );
}

/** KEY_USAGE names the keyUsage bits certificates here use (bit 0 is the first). */
const KEY_USAGE = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;

/** namedBits encodes a set of named bits as DER wants it: trailing zero bits dropped. */
function namedBits(set: readonly number[]): Asn1 {
  const top = Math.max(...set);
  const bytes = Buffer.alloc(Math.floor(top / 8) + 1);
  for (const b of set) bytes[b >> 3] = (bytes[b >> 3] ?? 0) | (0x80 >> (b & 7));
  return bits(bytes, 7 - (top & 7));
}

function extension(id: string, critical: boolean, value: Asn1): Asn1 {
  return seq(oid(id), ...(critical ? [bool(true)] : []), octets(toDer(value)));
}

/** CertificateParts are what a certificate says, apart from its signature. */
export interface CertificateParts {
  readonly issuer: Asn1;
  readonly subject: Asn1;
  readonly spki: Asn1;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** A CA (may sign certificates, not be a TLS client) or a client (TLS client authentication only). */
  readonly role: "ca" | "client";
  /** URIs for the subjectAltName. */
  readonly uris?: readonly string[];
  /** The issuer's key identifier, for the authorityKeyIdentifier. */
  readonly authorityKeyId?: Buffer;
}

/** signCertificate builds an X.509 v3 certificate from its parts and signs it with the issuer's key; it returns PEM. */
export function signCertificate(parts: CertificateParts, issuerKey: KeyObject): string {
  const algorithm = signatureAlgorithmOf(issuerKey);
  // A positive 128-bit serial, as CAs use: unguessable, never negative.
  const serial = randomBytes(16);
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x01;
  const extensions =
    parts.role === "ca"
      ? [
          extension(OID.basicConstraints, true, seq(bool(true), integer(Buffer.from([0])))),
          extension(
            OID.keyUsage,
            true,
            namedBits([KEY_USAGE.digitalSignature, KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign]),
          ),
        ]
      : [
          extension(OID.basicConstraints, true, seq()),
          extension(OID.keyUsage, true, namedBits([KEY_USAGE.digitalSignature])),
          extension(OID.extKeyUsage, false, seq(oid(OID.clientAuth))),
        ];
  if (parts.uris?.length)
    extensions.push(
      extension(
        OID.subjectAltName,
        false,
        seq(...parts.uris.map((u) => asn1().create(CONTEXT, 6 as forge.asn1.Type, false, u))),
      ),
    );
  extensions.push(extension(OID.subjectKeyIdentifier, false, octets(keyIdentifierOf(parts.spki))));
  if (parts.authorityKeyId)
    extensions.push(
      extension(
        OID.authorityKeyIdentifier,
        false,
        seq(asn1().create(CONTEXT, 0 as forge.asn1.Type, false, parts.authorityKeyId.toString("binary"))),
      ),
    );
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    algorithm.id,
    parts.issuer,
    seq(time(parts.notBefore), time(parts.notAfter)),
    parts.subject,
    parts.spki,
    explicit(3, seq(...extensions)),
  );
  const signature = sign(algorithm.digest, toDer(tbs), issuerKey);
  const der = toDer(seq(tbs, algorithm.id, bits(signature)));
  return pemOf("CERTIFICATE", der);
}

/** pemOf wraps DER in PEM armour. */
export function pemOf(label: string, der: Buffer): string {
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** CertificateFields are the parts of a parsed certificate a CA needs to issue under it. */
export interface CertificateFields {
  readonly subject: Asn1;
  readonly spki: Asn1;
  /** The value of its subjectKeyIdentifier extension, when it has one. */
  readonly subjectKeyId?: Buffer;
}

/** certificateFieldsOf reads a certificate's subject, public key and key identifier from its DER. */
export function certificateFieldsOf(der: Buffer): CertificateFields {
  const tbs = childrenOf(childrenOf(fromDer(der))[0]);
  // The version is an explicit [0] before the serial; v1 certificates leave it out.
  const at = tbs[0]?.tagClass === CONTEXT ? 1 : 0;
  const subject = tbs[at + 4];
  const spki = tbs[at + 5];
  if (!subject || !spki) throw new Error("not an X.509 certificate");
  const extensions = tbs.find((t) => t.tagClass === CONTEXT && (t.type as number) === 3);
  let subjectKeyId: Buffer | undefined;
  for (const ext of extensions ? childrenOf(childrenOf(extensions)[0]) : []) {
    const parts = childrenOf(ext);
    if (oidOf(parts[0]) !== OID.subjectKeyIdentifier) continue;
    subjectKeyId = bytesOf(fromDer(bytesOf(parts[parts.length - 1])));
  }
  return { subject, spki, ...(subjectKeyId ? { subjectKeyId } : {}) };
}
