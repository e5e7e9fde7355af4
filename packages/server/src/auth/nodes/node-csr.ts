import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { invalidArgument } from "@limiquantix/domain";
import type forge from "node-forge";
import { bytesOf, childrenOf, elementsOf, fromDer, OID, oidOf, toDer } from "./x509-der";

/** MAX_CSR_BYTES is the largest certificate request accepted: 16 KiB of PEM. */
export const MAX_CSR_BYTES = 16 * 1024;

/** NodeCsr is a checked certificate request: the public key it asks a certificate for. */
export interface NodeCsr {
  /** The request's SubjectPublicKeyInfo, as it goes into the certificate. */
  readonly spki: forge.asn1.Asn1;
  readonly publicKey: KeyObject;
}

// The signatures a request may carry, by algorithm: the digest and the key type it needs.
const SIGNATURES: Record<string, { readonly digest: string | null; readonly keyType: string }> = {
  [OID.sha256WithRsa]: { digest: "sha256", keyType: "rsa" },
  [OID.sha384WithRsa]: { digest: "sha384", keyType: "rsa" },
  [OID.sha512WithRsa]: { digest: "sha512", keyType: "rsa" },
  [OID.ecdsaWithSha256]: { digest: "sha256", keyType: "ec" },
  [OID.ecdsaWithSha384]: { digest: "sha384", keyType: "ec" },
  [OID.ecdsaWithSha512]: { digest: "sha512", keyType: "ec" },
  [OID.ed25519]: { digest: null, keyType: "ed25519" },
};

const PEM =
  /^\s*-----BEGIN (NEW )?CERTIFICATE REQUEST-----\r?\n([A-Za-z0-9+/=\r\n]+)-----END (NEW )?CERTIFICATE REQUEST-----\s*$/;

function refuse(description: string): never {
  throw invalidArgument([{ field: "csr_pem", description }]);
}

/** keyProblem says what is wrong with a requested key, or undefined for an accepted one. */
function keyProblem(key: KeyObject): string | undefined {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case "rsa": {
      const size = details.modulusLength ?? 0;
      return size >= 2048 && size <= 8192 ? undefined : `has an RSA key of ${size} bits: use 2048 to 8192`;
    }
    case "ec":
      return details.namedCurve === "prime256v1"
        ? undefined
        : `has an EC key on ${details.namedCurve ?? "an unknown curve"}: use P-256 (prime256v1)`;
    case "ed25519":
      return undefined;
    default:
      return `has a ${key.asymmetricKeyType ?? "unknown"} key: use RSA (2048 bits or more), EC P-256 or Ed25519`;
  }
}

/**
 * parseNodeCsr checks a node's certificate request (PEM PKCS#10): it must parse, hold an RSA key
 * of 2048 to 8192 bits, an EC P-256 key or an Ed25519 key, and be signed by that key (RSA
 * PKCS#1 v1.5 or ECDSA with SHA-256/384/512, or Ed25519). Only the key is taken; the subject and
 * the extensions asked for are ignored, since the server decides what the certificate says. A
 * request that fails is InvalidArgument naming `csr_pem`.
 */
export function parseNodeCsr(pem: string): NodeCsr {
  if (Buffer.byteLength(pem) > MAX_CSR_BYTES) refuse(`must be at most ${MAX_CSR_BYTES} bytes`);
  const armour = PEM.exec(pem);
  if (!armour) refuse("must be one PEM block: -----BEGIN CERTIFICATE REQUEST----- …");
  let info: Buffer;
  let spki: forge.asn1.Asn1;
  let algorithm: string;
  let signature: Buffer;
  try {
    const der = Buffer.from(armour[2] as string, "base64");
    const [cri, alg, sig] = childrenOf(fromDer(der));
    const [version, , key] = childrenOf(cri);
    if (!cri || !key || bytesOf(version).toString("hex") !== "00") throw new Error("not PKCS#10 v1");
    // The signature covers the request info as it was sent, so it is checked on those very bytes.
    info = elementsOf(der)[0] as Buffer;
    spki = key;
    algorithm = oidOf(childrenOf(alg)[0]);
    const bits = bytesOf(sig);
    if (bits[0] !== 0) throw new Error("signature has unused bits");
    signature = bits.subarray(1);
  } catch {
    return refuse("is not a PKCS#10 certificate request");
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: toDer(spki), format: "der", type: "spki" });
  } catch {
    return refuse("holds a public key that cannot be read");
  }
  const problem = keyProblem(publicKey);
  if (problem) refuse(problem);
  const scheme = SIGNATURES[algorithm];
  if (!scheme || scheme.keyType !== publicKey.asymmetricKeyType)
    refuse(`is signed with an algorithm not accepted for its key (${algorithm})`);
  let valid = false;
  try {
    valid = verify(scheme.digest, info, publicKey, signature);
  } catch {
    valid = false;
  }
  if (!valid) refuse("has a signature that does not verify with its own key");
  return { spki, publicKey };
}
