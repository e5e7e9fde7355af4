import { Buffer } from "node:buffer";
import { webcrypto } from "node:crypto";
import { type FieldViolation, invalidArgument } from "@limiquantix/domain";
import type { CryptoKey, JWK } from "jose";
import { generateEd25519Pem, importEd25519PrivateKey, importEd25519PublicKey } from "./ed25519-key";
import { loadKeyFile } from "./key-file";
import type { SigningKey, VerificationKey } from "./ring-key";

/** HS256_KID is the key id of the HS256 shared secret. */
export const HS256_KID = "hs256";

/** HS256_MIN_BYTES is the shortest HS256 secret accepted: as many bytes as the SHA-256 output (RFC 7518 §3.2). */
export const HS256_MIN_BYTES = 32;

/** KeyRingOptions says where the keys of the ring come from: hs256Secret or signingKey (not both), else dataDir, else an ephemeral key. */
export interface KeyRingOptions {
  /** Directory where a generated Ed25519 key pair is kept (embedded mode): <dir>/jwt-signing-key.pem (PKCS#8, mode 0600); its kid is the thumbprint of its public key. Generated on first use, reused after. */
  readonly dataDir?: string;
  /** A signing key from configuration (production, shared by every replica): Ed25519 PKCS#8 PEM and its key id (default: the RFC 7638 thumbprint of the public key). */
  readonly signingKey?: { readonly privateKeyPem: string; readonly kid?: string };
  /** Retired keys that still verify until their tokens expire (rotation): SPKI PEM public keys with their kids. */
  readonly retiredKeys?: readonly { readonly kid: string; readonly publicKeyPem: string }[];
  /** An HS256 shared secret (≥ 32 bytes) for those who want one; when given it is the signing key (kid "hs256"), and cannot be combined with signingKey. */
  readonly hs256Secret?: string;
}

/** KeyRingSource says where the signing key of a ring came from, for the server to log at start. */
export type KeyRingSource = "hs256-secret" | "configured" | "data-dir" | "ephemeral";

function problemOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function rejectOptions(violations: readonly FieldViolation[]): never {
  throw invalidArgument(violations, "token key ring options");
}

async function importHs256(secret: string): Promise<VerificationKey> {
  const bytes = Buffer.from(secret, "utf8");
  if (bytes.length < HS256_MIN_BYTES) {
    rejectOptions([
      {
        field: "hs256Secret",
        description: `must be at least ${HS256_MIN_BYTES} bytes (got ${bytes.length})`,
      },
    ]);
  }
  const hmac = { name: "HMAC", hash: "SHA-256" } as const;
  const key: CryptoKey = await webcrypto.subtle.importKey("raw", bytes, hmac, false, ["sign", "verify"]);
  return { kid: HS256_KID, alg: "HS256", key };
}

async function importConfigured(
  signingKey: NonNullable<KeyRingOptions["signingKey"]>,
): Promise<{ signing: SigningKey; verification: VerificationKey }> {
  if (signingKey.kid === "") rejectOptions([{ field: "signingKey.kid", description: "must not be empty" }]);
  try {
    return await importEd25519PrivateKey(signingKey.privateKeyPem, signingKey.kid);
  } catch (error) {
    return rejectOptions([
      {
        field: "signingKey.privateKeyPem",
        description: `must be an Ed25519 PKCS#8 PEM private key (${problemOf(error)})`,
      },
    ]);
  }
}

async function importRetired(
  retired: NonNullable<KeyRingOptions["retiredKeys"]>,
): Promise<VerificationKey[]> {
  return Promise.all(
    retired.map(async ({ kid, publicKeyPem }, i) => {
      if (kid === "") rejectOptions([{ field: `retiredKeys[${i}].kid`, description: "must not be empty" }]);
      try {
        return await importEd25519PublicKey(publicKeyPem, kid);
      } catch (error) {
        return rejectOptions([
          {
            field: `retiredKeys[${i}].publicKeyPem`,
            description: `must be an Ed25519 SPKI PEM public key (${problemOf(error)})`,
          },
        ]);
      }
    }),
  );
}

/**
 * KeyRing holds the keys of access tokens: the one that signs, and every one that verifies (the
 * signing key's public half and retired keys), each imported once at load so that verifying a
 * token costs no key parsing.
 */
export class KeyRing {
  /** source says where the signing key came from. */
  readonly source: KeyRingSource;
  /** signingKey is the key new tokens are signed with. */
  readonly signingKey: SigningKey;
  /** keyFile is the PEM file of the signing key in data-dir mode. */
  readonly keyFile: string | undefined;
  private readonly verifiers: ReadonlyMap<string, VerificationKey>;

  private constructor(
    source: KeyRingSource,
    signingKey: SigningKey,
    verifiers: ReadonlyMap<string, VerificationKey>,
    keyFile: string | undefined,
  ) {
    this.source = source;
    this.signingKey = signingKey;
    this.verifiers = verifiers;
    this.keyFile = keyFile;
  }

  /**
   * load builds the ring from options: the HS256 secret if given, else the configured Ed25519
   * key, else the key kept in dataDir (generated on first use), else, with nothing given, an
   * ephemeral in-memory Ed25519 key (dev mode: tokens die with the process). Retired keys join
   * as verification keys. A key that cannot be read, or two keys with one kid, fail the load
   * with an error naming the option or file.
   */
  static async load(options: KeyRingOptions = {}): Promise<KeyRing> {
    if (options.hs256Secret !== undefined && options.signingKey !== undefined) {
      rejectOptions([
        {
          field: "hs256Secret",
          description: "cannot be given together with signingKey; choose one signing key",
        },
      ]);
    }
    const retired = await importRetired(options.retiredKeys ?? []);
    let source: KeyRingSource;
    let signing: SigningKey;
    let current: VerificationKey;
    let keyFile: string | undefined;
    if (options.hs256Secret !== undefined) {
      source = "hs256-secret";
      current = await importHs256(options.hs256Secret);
      signing = current;
    } else if (options.signingKey !== undefined) {
      source = "configured";
      ({ signing, verification: current } = await importConfigured(options.signingKey));
    } else if (options.dataDir !== undefined) {
      source = "data-dir";
      const loaded = await loadKeyFile(options.dataDir);
      ({ signing, verification: current } = loaded.pair);
      keyFile = loaded.file;
    } else {
      source = "ephemeral";
      ({ signing, verification: current } = await importEd25519PrivateKey(generateEd25519Pem()));
    }
    const verifiers = new Map<string, VerificationKey>([[current.kid, current]]);
    retired.forEach((key, i) => {
      if (verifiers.has(key.kid)) {
        rejectOptions([
          {
            field: `retiredKeys[${i}].kid`,
            description: `names a key already in the ring (kid "${key.kid}")`,
          },
        ]);
      }
      verifiers.set(key.kid, key);
    });
    return new KeyRing(source, signing, verifiers, keyFile);
  }

  /** verificationKey returns the key that verifies tokens naming kid, or undefined when the ring has none. */
  verificationKey(kid: string): VerificationKey | undefined {
    return this.verifiers.get(kid);
  }

  /** publicJwks lists the public JWK of every asymmetric verification key, current first; never a secret or a private part. */
  publicJwks(): JWK[] {
    const keys: JWK[] = [];
    for (const { jwk } of this.verifiers.values()) if (jwk !== undefined) keys.push({ ...jwk });
    return keys;
  }
}
