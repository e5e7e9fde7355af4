import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { type Clock, ErrorCode, isDomainError } from "@limiquantix/domain";
import { base64url, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import type { AccessClaims } from "./access-claims";
import { KeyRing } from "./key-ring";
import { TokenIssuer } from "./token-issuer";
import type { TokenRejectionReason } from "./token-rejection";

const T0 = Date.parse("2025-06-01T12:00:00Z");
const ISS = "https://cp.example";
const AUD = "limiquantix-api";
const SKEW = 30;

const alice: AccessClaims = {
  subject: "u-1",
  kind: "user",
  name: "alice",
  role: "viewer",
  projects: [
    { projectId: "p-1", role: "admin" },
    { projectId: "p-2", role: "operator" },
  ],
  sessionId: "s-1",
};

/** A clock tests move by hand. */
function clockAt(ms: number): Clock & { set(ms: number): void } {
  let now = ms;
  return {
    now: () => new Date(now),
    set: (next) => {
      now = next;
    },
  };
}

function ed25519(): { privateKey: KeyObject; privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    privateKey,
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

function issuerOf(
  keys: KeyRing,
  clock: Clock = clockAt(T0),
  options: { issuer?: string; audience?: string } = {},
) {
  return new TokenIssuer({
    keys,
    issuer: options.issuer ?? ISS,
    audience: options.audience ?? AUD,
    clockSkewSec: SKEW,
    clock,
  });
}

/** A payload the issuer would sign for alice at T0, for tokens the tests forge by hand. */
function validPayload(): JWTPayload {
  const iat = Math.floor(T0 / 1000);
  return {
    iss: ISS,
    aud: AUD,
    sub: "u-1",
    iat,
    nbf: iat,
    exp: iat + 300,
    jti: "j-1",
    knd: "user",
    nam: "alice",
    prj: [["p-1", "admin"]],
  };
}

function encode(part: object): string {
  return base64url.encode(JSON.stringify(part));
}

/** expectRejected asserts an Unauthenticated error with the reason and message, that does not quote the token. */
async function expectRejected(
  issuer: TokenIssuer,
  token: string,
  reason: TokenRejectionReason,
  message: string | RegExp,
): Promise<void> {
  const error = await issuer.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDomainError(error)) throw new Error(`expected a DomainError, got ${String(error)}`);
  expect(error.code).toBe(ErrorCode.Unauthenticated);
  expect(error.details.reason).toBe(reason);
  if (typeof message === "string") expect(error.message).toBe(message);
  else expect(error.message).toMatch(message);
  for (const part of token.split(".")) {
    if (part.length >= 8) expect(error.message).not.toContain(part);
  }
  expect(error.cause).toBeUndefined();
}

describe("TokenIssuer with an Ed25519 key", () => {
  const own = ed25519();
  let ring: KeyRing;
  let issuer: TokenIssuer;
  const kid = "k-now";

  beforeAll(async () => {
    ring = await KeyRing.load({ signingKey: { privateKeyPem: own.privateKeyPem, kid } });
    issuer = issuerOf(ring);
  });

  /** forge signs a payload with the ring's own private key and any header, as a bug or a leaked tool might. */
  function forge(payload: JWTPayload, header: Record<string, unknown> = {}): Promise<string> {
    return new SignJWT(payload)
      .setProtectedHeader({ alg: "EdDSA", kid, typ: "at+jwt", ...header })
      .sign(own.privateKey);
  }

  it("verifies what it signs, giving back the claims, the expiry and the token id", async () => {
    const { token, expiresAt } = await issuer.sign(alice, 900);
    expect(expiresAt.getTime()).toBe(T0 + 900_000);
    const verified = await issuer.verify(token);
    expect(verified.claims).toEqual(alice);
    expect(verified.expiresAt).toEqual(expiresAt);
    expect(verified.tokenId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("writes the registered claims, the kid header and short private claims", async () => {
    const { token } = await issuer.sign(alice, 900);
    const [header, payload] = token
      .split(".")
      .slice(0, 2)
      .map((part) => JSON.parse(new TextDecoder().decode(base64url.decode(part))));
    const iat = T0 / 1000;
    expect(header).toEqual({ alg: "EdDSA", kid, typ: "at+jwt" });
    expect(payload).toEqual({
      iss: ISS,
      aud: AUD,
      sub: "u-1",
      iat,
      nbf: iat,
      exp: iat + 900,
      jti: expect.any(String),
      knd: "user",
      nam: "alice",
      rol: "viewer",
      prj: [
        ["p-1", "admin"],
        ["p-2", "operator"],
      ],
      sid: "s-1",
    });
  });

  it("leaves the optional role and session out when the claims have none", async () => {
    const node: AccessClaims = { subject: "n-7", kind: "node", name: "node-7", projects: [] };
    const { token } = await issuer.sign(node, 60);
    const { claims } = await issuer.verify(token);
    expect(claims).toEqual(node);
    expect("role" in claims).toBe(false);
  });

  it("gives a fresh token id to each token", async () => {
    const a = await issuer.verify((await issuer.sign(alice, 60)).token);
    const b = await issuer.verify((await issuer.sign(alice, 60)).token);
    expect(a.tokenId).not.toBe(b.tokenId);
  });

  it("rejects an unsigned token (alg none)", async () => {
    const token = `${encode({ alg: "none", kid, typ: "at+jwt" })}.${encode(validPayload())}.`;
    await expectRejected(issuer, token, "algorithm-not-allowed", "algorithm not allowed");
  });

  it("rejects an HS256 token whose secret is the Ed25519 public key (algorithm confusion)", async () => {
    for (const secret of [own.publicKeyPem, JSON.stringify(ring.publicJwks()[0])]) {
      const token = await new SignJWT(validPayload())
        .setProtectedHeader({ alg: "HS256", kid, typ: "at+jwt" })
        .sign(new TextEncoder().encode(secret));
      await expectRejected(
        issuer,
        token,
        "algorithm-not-allowed",
        "algorithm not allowed (the key named by the token takes EdDSA)",
      );
    }
  });

  it("rejects RS256 and ES256 tokens naming its kid", async () => {
    for (const alg of ["RS256", "ES256"]) {
      const { privateKey } = await generateKeyPair(alg);
      const token = await new SignJWT(validPayload())
        .setProtectedHeader({ alg, kid, typ: "at+jwt" })
        .sign(privateKey);
      await expectRejected(issuer, token, "algorithm-not-allowed", "algorithm not allowed");
    }
  });

  it("rejects a token whose payload was tampered with", async () => {
    const { token } = await issuer.sign(alice, 900);
    const [header, payload, signature] = token.split(".");
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload!)));
    const forged = encode({ ...claims, rol: "admin" });
    await expectRejected(
      issuer,
      `${header}.${forged}.${signature}`,
      "signature-invalid",
      "token signature invalid",
    );
  });

  it("rejects a token with a truncated signature", async () => {
    const { token } = await issuer.sign(alice, 900);
    await expectRejected(issuer, token.slice(0, -4), "signature-invalid", "token signature invalid");
  });

  it("rejects an expired token, forgiving the clock skew", async () => {
    const clock = clockAt(T0);
    const timed = issuerOf(ring, clock);
    const { token } = await timed.sign(alice, 60);
    clock.set(T0 + (60 + SKEW - 1) * 1000);
    await expect(timed.verify(token)).resolves.toMatchObject({ claims: alice });
    clock.set(T0 + (60 + SKEW) * 1000);
    await expectRejected(timed, token, "expired", "token expired");
  });

  it("rejects a token not yet valid beyond the clock skew, and accepts one within it", async () => {
    const clock = clockAt(T0 + (SKEW + 1) * 1000);
    const ahead = issuerOf(ring, clock);
    const early = (await ahead.sign(alice, 600)).token;
    clock.set(T0 + SKEW * 1000);
    const justWithin = (await ahead.sign(alice, 600)).token;
    await expectRejected(issuer, early, "not-yet-valid", "token not yet valid");
    await expect(issuer.verify(justWithin)).resolves.toMatchObject({ claims: alice });
  });

  it("rejects a token from another issuer", async () => {
    const { token } = await issuerOf(ring, clockAt(T0), { issuer: "https://other.example" }).sign(alice, 60);
    await expectRejected(issuer, token, "wrong-issuer", "wrong issuer");
  });

  it("rejects a token for another audience", async () => {
    const { token } = await issuerOf(ring, clockAt(T0), { audience: "grafana" }).sign(alice, 60);
    await expectRejected(issuer, token, "wrong-audience", "wrong audience");
  });

  it("rejects a token naming a key id the ring does not hold", async () => {
    await expectRejected(
      issuer,
      await forge(validPayload(), { kid: "k-gone" }),
      "unknown-key-id",
      "unknown key id",
    );
  });

  it("rejects a token with no key id", async () => {
    const token = await new SignJWT(validPayload())
      .setProtectedHeader({ alg: "EdDSA", typ: "at+jwt" })
      .sign(own.privateKey);
    await expectRejected(issuer, token, "missing-key-id", "token has no key id (kid)");
  });

  it("rejects a token signed by a key that is not in the ring", async () => {
    const stranger = ed25519();
    const strangers = issuerOf(await KeyRing.load({ signingKey: { privateKeyPem: stranger.privateKeyPem } }));
    const { token } = await strangers.sign(alice, 60);
    await expectRejected(issuer, token, "unknown-key-id", "unknown key id");
    // The same stranger claiming the ring's kid fails on its signature.
    const spoofed = await new SignJWT(validPayload())
      .setProtectedHeader({ alg: "EdDSA", kid, typ: "at+jwt" })
      .sign(stranger.privateKey);
    await expectRejected(issuer, spoofed, "signature-invalid", "token signature invalid");
  });

  it("rejects a JWT of another type signed by the same key", async () => {
    await expectRejected(
      issuer,
      await forge(validPayload(), { typ: "JWT" }),
      "wrong-type",
      /wrong token type/,
    );
  });

  it("rejects a signed token whose private claims do not have the expected shape", async () => {
    const cases: [JWTPayload, string][] = [
      [{ ...validPayload(), knd: "robot" }, "knd"],
      [{ ...validPayload(), prj: [["p-1", "owner"]] }, "prj.0.1"],
      [{ ...validPayload(), prj: { "p-1": "admin" } }, "prj"],
      [{ ...validPayload(), nam: "" }, "nam"],
      [{ ...validPayload(), rol: "root", sid: 7 }, "rol, sid"],
    ];
    for (const [payload, paths] of cases) {
      await expectRejected(
        issuer,
        await forge(payload),
        "invalid-claims",
        `token claims do not have the expected shape (${paths})`,
      );
    }
  });

  it("rejects a signed token missing a registered claim", async () => {
    const { jti: _jti, ...noJti } = validPayload();
    await expectRejected(issuer, await forge(noJti), "invalid-claims", 'token claim "jti" missing');
    const { exp: _exp, ...noExp } = validPayload();
    await expectRejected(issuer, await forge(noExp), "invalid-claims", 'token claim "exp" missing');
    await expectRejected(
      issuer,
      await forge({ ...validPayload(), exp: "later" as unknown as number }),
      "invalid-claims",
      'token claim "exp" invalid',
    );
  });

  it("accepts claims it does not know, for tokens of a newer replica", async () => {
    const { claims } = await issuer.verify(await forge({ ...validPayload(), mfa: true }));
    expect(claims).toEqual({
      subject: "u-1",
      kind: "user",
      name: "alice",
      projects: [{ projectId: "p-1", role: "admin" }],
    });
  });

  it("rejects garbage", async () => {
    for (const garbage of [
      "garbage",
      "a.b.c",
      "....",
      `${encode({ alg: "EdDSA", kid })}.${encode(validPayload())}`,
      "eyJ.eyJ.eyJ",
    ]) {
      await expectRejected(issuer, garbage, "malformed", /^token is malformed/);
    }
    await expectRejected(issuer, "", "malformed", "token is empty");
    await expectRejected(issuer, "x".repeat(20_000), "malformed", "token is longer than 16384 characters");
  });

  it("publishes its public key in the JWKS", () => {
    expect(issuer.jwks()).toEqual({
      keys: [{ kty: "OKP", crv: "Ed25519", x: expect.any(String), kid, alg: "EdDSA", use: "sig" }],
    });
  });

  it("refuses to sign claims of the wrong shape or a ttl that is not a positive whole number", async () => {
    const bad = {
      ...alice,
      kind: "robot",
      projects: [{ projectId: "", role: "admin" }],
    } as unknown as AccessClaims;
    await expect(issuer.sign(bad, 60)).rejects.toThrow(
      /invalid access token claims: kind .*; projects\.0\.projectId/,
    );
    await expect(issuer.sign(alice, 0)).rejects.toThrow(
      "ttlSec must be a whole number of seconds above 0 (got 0)",
    );
    await expect(issuer.sign(alice, 1.5)).rejects.toThrow("(got 1.5)");
  });

  it("refuses an empty issuer or audience and a negative skew", () => {
    expect(() => new TokenIssuer({ keys: ring, issuer: "", audience: "", clockSkewSec: -1 })).toThrow(
      "invalid token issuer options: issuer must not be empty; audience must not be empty; clockSkewSec must be 0 or more seconds (got -1)",
    );
  });
});

describe("TokenIssuer across a key rotation", () => {
  it("verifies tokens of a retired key, publishes it, and signs with the new one", async () => {
    const old = ed25519();
    const next = ed25519();
    const before = issuerOf(
      await KeyRing.load({ signingKey: { privateKeyPem: old.privateKeyPem, kid: "k1" } }),
    );
    const { token } = await before.sign(alice, 900);
    const after = issuerOf(
      await KeyRing.load({
        signingKey: { privateKeyPem: next.privateKeyPem, kid: "k2" },
        retiredKeys: [{ kid: "k1", publicKeyPem: old.publicKeyPem }],
      }),
    );
    await expect(after.verify(token)).resolves.toMatchObject({ claims: alice });
    expect(after.jwks().keys.map((k) => k.kid)).toEqual(["k2", "k1"]);
    const fresh = (await after.sign(alice, 900)).token;
    await expect(before.verify(fresh)).rejects.toThrow("unknown key id");
  });

  it("stops verifying a key's tokens once it leaves the ring", async () => {
    const old = ed25519();
    const { token } = await issuerOf(
      await KeyRing.load({ signingKey: { privateKeyPem: old.privateKeyPem } }),
    ).sign(alice, 900);
    const later = issuerOf(await KeyRing.load({ signingKey: { privateKeyPem: ed25519().privateKeyPem } }));
    await expectRejected(later, token, "unknown-key-id", "unknown key id");
  });
});

describe("TokenIssuer with an HS256 secret", () => {
  const secret = "correct horse battery staple, 32+";

  it("signs and verifies with the secret, and publishes no key", async () => {
    const issuer = issuerOf(await KeyRing.load({ hs256Secret: secret }));
    const { token } = await issuer.sign(alice, 60);
    expect(JSON.parse(new TextDecoder().decode(base64url.decode(token.split(".")[0]!)))).toMatchObject({
      alg: "HS256",
      kid: "hs256",
    });
    await expect(issuer.verify(token)).resolves.toMatchObject({ claims: alice });
    expect(issuer.jwks()).toEqual({ keys: [] });
  });

  it("rejects a token signed with another secret", async () => {
    const issuer = issuerOf(await KeyRing.load({ hs256Secret: secret }));
    const other = issuerOf(await KeyRing.load({ hs256Secret: `${secret}!` }));
    await expectRejected(
      issuer,
      (await other.sign(alice, 60)).token,
      "signature-invalid",
      "token signature invalid",
    );
  });

  it("rejects an EdDSA token naming the secret's kid", async () => {
    const issuer = issuerOf(await KeyRing.load({ hs256Secret: secret }));
    const token = await new SignJWT(validPayload())
      .setProtectedHeader({ alg: "EdDSA", kid: "hs256", typ: "at+jwt" })
      .sign(ed25519().privateKey);
    await expectRejected(
      issuer,
      token,
      "algorithm-not-allowed",
      "algorithm not allowed (the key named by the token takes HS256)",
    );
  });
});

describe("TokenIssuer with an ephemeral key", () => {
  it("verifies its own tokens, and no other ring's", async () => {
    const a = issuerOf(await KeyRing.load());
    const b = issuerOf(await KeyRing.load());
    const { token } = await a.sign(alice, 60);
    await expect(a.verify(token)).resolves.toMatchObject({ claims: alice });
    await expectRejected(b, token, "unknown-key-id", "unknown key id");
  });
});
