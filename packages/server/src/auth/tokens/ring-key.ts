import type { CryptoKey, JWK } from "jose";

/** TokenAlgorithm is a JWS algorithm the key ring signs or verifies with: EdDSA (Ed25519) or HS256. */
export type TokenAlgorithm = "EdDSA" | "HS256";

/** VerificationKey is one key of the ring that verifies tokens: its id, its only algorithm and the imported key. */
export interface VerificationKey {
  /** The key id tokens name in their `kid` header. */
  readonly kid: string;
  /** The one algorithm this key accepts; a token naming another is refused, whatever its signature. */
  readonly alg: TokenAlgorithm;
  /** The imported key (an Ed25519 public key, or the HMAC secret), imported once at load. */
  readonly key: CryptoKey;
  /** The public JWK published in the JWKS; absent for the HS256 secret, which is never published. */
  readonly jwk?: JWK;
}

/** SigningKey is the key of the ring new tokens are signed with. */
export interface SigningKey {
  /** The key id written in the `kid` header of every token it signs. */
  readonly kid: string;
  /** The algorithm written in the `alg` header. */
  readonly alg: TokenAlgorithm;
  /** The imported, non-extractable private key (or HMAC secret). */
  readonly key: CryptoKey;
}
