import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  webcrypto,
} from "node:crypto";
import { calculateJwkThumbprint, type CryptoKey, type JWK } from "jose";
import type { SigningKey, VerificationKey } from "./ring-key";

const ED25519 = { name: "Ed25519" } as const;

/** Ed25519KeyPair is an Ed25519 private key imported for signing, with its public half as a verification key. */
export interface Ed25519KeyPair {
  /** The private key, non-extractable, that signs new tokens. */
  readonly signing: SigningKey;
  /** The public key that verifies them, with its JWK for the JWKS. */
  readonly verification: VerificationKey;
}

/** generateEd25519Pem makes a fresh Ed25519 private key as a PKCS#8 PEM. */
export function generateEd25519Pem(): string {
  return generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}

function problemOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function requireEd25519(key: KeyObject): void {
  if (key.asymmetricKeyType !== "ed25519") {
    throw new Error(`it holds a ${key.asymmetricKeyType ?? "unknown"} key, not an Ed25519 one`);
  }
}

/** publicJwkOf gives the minimal public JWK (kty, crv, x) of an Ed25519 key: the members the thumbprint covers. */
function publicJwkOf(publicKey: KeyObject): JWK {
  const { kty, crv, x } = publicKey.export({ format: "jwk" });
  return { kty, crv, x };
}

async function importPublic(publicKey: KeyObject, kid: string | undefined): Promise<VerificationKey> {
  const jwk = publicJwkOf(publicKey);
  const der = publicKey.export({ type: "spki", format: "der" });
  const key: CryptoKey = await webcrypto.subtle.importKey("spki", der, ED25519, true, ["verify"]);
  const id = kid ?? (await calculateJwkThumbprint(jwk, "sha256"));
  return { kid: id, alg: "EdDSA", key, jwk: { ...jwk, kid: id, alg: "EdDSA", use: "sig" } };
}

/**
 * importEd25519PrivateKey imports an Ed25519 PKCS#8 PEM private key for signing, named kid or,
 * by default, the RFC 7638 SHA-256 thumbprint of its public key. It throws a plain Error saying
 * what is wrong with the PEM; the caller names where the PEM came from.
 */
export async function importEd25519PrivateKey(pem: string, kid?: string): Promise<Ed25519KeyPair> {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: "pem" });
  } catch (error) {
    throw new Error(`it is not a readable PEM private key: ${problemOf(error)}`);
  }
  requireEd25519(privateKey);
  const der = privateKey.export({ type: "pkcs8", format: "der" });
  const key: CryptoKey = await webcrypto.subtle.importKey("pkcs8", der, ED25519, false, ["sign"]);
  const verification = await importPublic(createPublicKey(privateKey), kid);
  return { signing: { kid: verification.kid, alg: "EdDSA", key }, verification };
}

/**
 * importEd25519PublicKey imports an Ed25519 SPKI PEM public key that verifies tokens named kid.
 * It throws a plain Error saying what is wrong with the PEM.
 */
export async function importEd25519PublicKey(pem: string, kid: string): Promise<VerificationKey> {
  // createPublicKey would take a private PEM too, deriving its public half; a private key pasted
  // where a public one belongs is a leak to report, not to accept.
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    throw new Error("it holds a private key; give the SPKI public key (BEGIN PUBLIC KEY) only");
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: pem, format: "pem" });
  } catch (error) {
    throw new Error(`it is not a readable PEM public key: ${problemOf(error)}`);
  }
  requireEd25519(publicKey);
  return importPublic(publicKey, kid);
}
