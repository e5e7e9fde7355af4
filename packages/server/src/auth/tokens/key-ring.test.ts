import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ErrorCode, isDomainError } from "@limiquantix/domain";
import { calculateJwkThumbprint } from "jose";
import { describe, expect, it } from "vitest";
import { KEY_FILE_NAME } from "./key-file";
import { KeyRing } from "./key-ring";

function ed25519Pems(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "lqx-tokens-"));
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error("expected the promise to reject");
  return error;
}

describe("KeyRing in data-dir mode", () => {
  it("generates a key file on first load and gives the same kid from it on the next", async () => {
    const dataDir = await tempDir();
    const first = await KeyRing.load({ dataDir });
    const second = await KeyRing.load({ dataDir });
    expect(first.source).toBe("data-dir");
    expect(first.keyFile).toBe(join(dataDir, KEY_FILE_NAME));
    expect(second.signingKey.kid).toBe(first.signingKey.kid);
    expect(second.publicJwks()).toEqual(first.publicJwks());
  });

  it("writes the key as a PKCS#8 PEM readable by its owner only (mode 0600)", async () => {
    const dataDir = await tempDir();
    await KeyRing.load({ dataDir });
    const file = join(dataDir, KEY_FILE_NAME);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, "utf8")).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });

  it("creates a missing data directory", async () => {
    const dataDir = join(await tempDir(), "nested", "data");
    const ring = await KeyRing.load({ dataDir });
    expect((await stat(join(dataDir, KEY_FILE_NAME))).isFile()).toBe(true);
    expect(ring.signingKey.alg).toBe("EdDSA");
  });

  it("gives one key to loads racing on a fresh data directory", async () => {
    const dataDir = await tempDir();
    const rings = await Promise.all(Array.from({ length: 4 }, () => KeyRing.load({ dataDir })));
    expect(new Set(rings.map((r) => r.signingKey.kid)).size).toBe(1);
  });

  it("fails on a corrupt key file with an error naming the file, and leaves the file alone", async () => {
    const dataDir = await tempDir();
    const file = join(dataDir, KEY_FILE_NAME);
    await writeFile(file, "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n", {
      mode: 0o600,
    });
    const error = await failureOf(KeyRing.load({ dataDir }));
    expect(isDomainError(error) && error.code).toBe(ErrorCode.FailedPrecondition);
    expect(error.message).toContain(
      `the token signing key file ${file} is not an Ed25519 PKCS#8 PEM private key`,
    );
    expect(error.message).toContain("delete it to generate a new key");
    expect(await readFile(file, "utf8")).toContain("not a key");
  });

  it("fails on a key file holding another kind of key, saying which", async () => {
    const dataDir = await tempDir();
    const p256 = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey;
    await writeFile(join(dataDir, KEY_FILE_NAME), p256.export({ type: "pkcs8", format: "pem" }));
    const error = await failureOf(KeyRing.load({ dataDir }));
    expect(error.message).toContain("it holds a ec key, not an Ed25519 one");
  });
});

describe("KeyRing with a configured key", () => {
  it("names the key by the RFC 7638 thumbprint of its public key by default", async () => {
    const { privateKeyPem } = ed25519Pems();
    const ring = await KeyRing.load({ signingKey: { privateKeyPem } });
    const [jwk] = ring.publicJwks();
    const { kty, crv, x } = jwk!;
    expect(ring.source).toBe("configured");
    expect(ring.signingKey.kid).toBe(await calculateJwkThumbprint({ kty, crv, x }, "sha256"));
    expect(jwk!.kid).toBe(ring.signingKey.kid);
  });

  it("uses the kid it is given, and prefers the configured key to the data directory", async () => {
    const { privateKeyPem } = ed25519Pems();
    const dataDir = await tempDir();
    const ring = await KeyRing.load({ signingKey: { privateKeyPem, kid: "2025-01" }, dataDir });
    expect(ring.signingKey.kid).toBe("2025-01");
    await expect(stat(join(dataDir, KEY_FILE_NAME))).rejects.toThrow(/ENOENT/);
  });

  it("refuses a key that is not Ed25519, naming the option", async () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const privateKeyPem = rsa.export({ type: "pkcs8", format: "pem" }).toString();
    const error = await failureOf(KeyRing.load({ signingKey: { privateKeyPem } }));
    expect(isDomainError(error) && error.code).toBe(ErrorCode.InvalidArgument);
    expect(error.message).toContain("signingKey.privateKeyPem must be an Ed25519 PKCS#8 PEM private key");
    expect(error.message).toContain("rsa key");
  });

  it("refuses text that is no PEM, naming the option", async () => {
    const error = await failureOf(KeyRing.load({ signingKey: { privateKeyPem: "hunter2" } }));
    expect(error.message).toContain("signingKey.privateKeyPem must be an Ed25519 PKCS#8 PEM private key");
  });

  it("refuses an HS256 secret given together with a signing key", async () => {
    const { privateKeyPem } = ed25519Pems();
    const error = await failureOf(
      KeyRing.load({ signingKey: { privateKeyPem }, hs256Secret: "s".repeat(32) }),
    );
    expect(error.message).toContain("hs256Secret cannot be given together with signingKey");
  });
});

describe("KeyRing with retired keys", () => {
  it("verifies with retired keys and publishes them after the current one, with no private part", async () => {
    const current = ed25519Pems();
    const old = ed25519Pems();
    const ring = await KeyRing.load({
      signingKey: { privateKeyPem: current.privateKeyPem, kid: "k2" },
      retiredKeys: [{ kid: "k1", publicKeyPem: old.publicKeyPem }],
    });
    const jwks = ring.publicJwks();
    expect(jwks.map((k) => k.kid)).toEqual(["k2", "k1"]);
    for (const jwk of jwks) {
      expect(Object.keys(jwk).sort()).toEqual(["alg", "crv", "kid", "kty", "use", "x"]);
      expect(jwk).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" });
    }
    expect(ring.verificationKey("k1")?.alg).toBe("EdDSA");
    expect(ring.verificationKey("k3")).toBeUndefined();
  });

  it("refuses a retired key whose kid is already in the ring", async () => {
    const current = ed25519Pems();
    const error = await failureOf(
      KeyRing.load({
        signingKey: { privateKeyPem: current.privateKeyPem, kid: "k1" },
        retiredKeys: [{ kid: "k1", publicKeyPem: ed25519Pems().publicKeyPem }],
      }),
    );
    expect(error.message).toContain('retiredKeys[0].kid names a key already in the ring (kid "k1")');
  });

  it("refuses a private key given as a retired key", async () => {
    const error = await failureOf(
      KeyRing.load({ retiredKeys: [{ kid: "k1", publicKeyPem: ed25519Pems().privateKeyPem }] }),
    );
    expect(error.message).toContain("retiredKeys[0].publicKeyPem must be an Ed25519 SPKI PEM public key");
    expect(error.message).toContain("it holds a private key");
  });
});

describe("KeyRing in HS256 mode", () => {
  it("signs with the secret under kid hs256 and publishes no key", async () => {
    const ring = await KeyRing.load({ hs256Secret: "0123456789abcdef0123456789abcdef" });
    expect(ring.source).toBe("hs256-secret");
    expect(ring.signingKey).toMatchObject({ kid: "hs256", alg: "HS256" });
    expect(ring.publicJwks()).toEqual([]);
  });

  it("publishes retired Ed25519 keys but still not the secret", async () => {
    const ring = await KeyRing.load({
      hs256Secret: "0123456789abcdef0123456789abcdef",
      retiredKeys: [{ kid: "k1", publicKeyPem: ed25519Pems().publicKeyPem }],
    });
    expect(ring.publicJwks().map((k) => k.kid)).toEqual(["k1"]);
  });

  it("refuses a secret shorter than 32 bytes", async () => {
    const error = await failureOf(KeyRing.load({ hs256Secret: "short" }));
    expect(isDomainError(error) && error.code).toBe(ErrorCode.InvalidArgument);
    expect(error.message).toContain("hs256Secret must be at least 32 bytes (got 5)");
  });
});

describe("KeyRing in ephemeral mode", () => {
  it("makes a fresh in-memory Ed25519 key on each load when given nothing", async () => {
    const a = await KeyRing.load({});
    const b = await KeyRing.load();
    expect(a.source).toBe("ephemeral");
    expect(a.keyFile).toBeUndefined();
    expect(a.signingKey.alg).toBe("EdDSA");
    expect(a.signingKey.kid).not.toBe(b.signingKey.kid);
    expect(a.publicJwks()).toHaveLength(1);
  });
});
