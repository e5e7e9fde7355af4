import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Interceptor } from "@connectrpc/connect";
import type { RateLimiter, SessionStore } from "@limiquantix/domain";
import type { ContainerModule } from "inversify";
import type { Logger } from "pino";
import type { Config } from "../config/schema";
import type { ServiceDeps } from "../shared/service-deps";
import { checkAccess } from "./access-interceptor";
import { AuditRecorder } from "./audit/audit-recorder";
import { authModule } from "./auth-module";
import { BearerAuthenticator, CallAuthenticator } from "./identity/authenticator";
import { NodeCertificateAuthenticator } from "./identity/node-certificate-authenticator";
import { SessionLiveness } from "./identity/session-liveness";
import type { ClusterCa } from "./nodes/cluster-ca";
import { loadClusterCa } from "./nodes/cluster-ca-files";
import { nodeJoinModule } from "./nodes/node-join-module";
import { POLICY } from "./policy/policy-table";
import { repositoryLookup } from "./policy/repository-lookup";
import { KeyRing, type KeyRingOptions, TokenIssuer } from "./tokens";

/** IdentityBackends are the stores sign-in needs, from the server's mode: sessions and rate limiters. */
export interface IdentityBackends {
  readonly sessions: SessionStore;
  /** rateLimiter makes a limiter allowing `limit` units per `windowMs` for keys under `prefix`. */
  rateLimiter(options: {
    readonly limit: number;
    readonly windowMs: number;
    readonly prefix: string;
  }): RateLimiter;
  /** purgeEnded removes sessions that ended more than a day ago, where the store keeps them (the database); Redis expires them itself. */
  purgeEnded?(): Promise<number>;
}

/** Access is the server's identity and access: its container module, its interceptor and its token issuer. */
export interface Access {
  readonly tokens: TokenIssuer;
  readonly keys: KeyRing;
  readonly liveness: SessionLiveness;
  /** bearer checks `authorization: Bearer …` headers (the RPCs' and /metrics'). */
  readonly bearer: BearerAuthenticator;
  /** nodeCa signs node client certificates; the TLS listener trusts it for client certificates. Absent, none are offered. */
  readonly nodeCa?: ClusterCa;
  /** module binds users, sign-in and the audit log's reader. */
  readonly module: ContainerModule;
  /** nodeJoinModule binds join tokens and the joining of nodes with them (NodeJoinService). */
  readonly nodeJoinModule: ContainerModule;
  /** interceptor authenticates, authorises and audits every call (after the call context is built). */
  interceptor(deps: ServiceDeps): Interceptor;
}

async function keyRingOptions(config: Config): Promise<KeyRingOptions> {
  const a = config.auth;
  const retiredKeys = await Promise.all(
    a.retiredKeys.map(async (k) => ({
      kid: k.kid,
      publicKeyPem: await readKey(k.publicKeyFile, "auth.retiredKeys"),
    })),
  );
  if (a.jwtSecret) return { hs256Secret: a.jwtSecret, retiredKeys };
  if (a.signingKeyFile)
    return {
      signingKey: {
        privateKeyPem: await readKey(a.signingKeyFile, "auth.signingKeyFile"),
        ...(a.signingKeyId ? { kid: a.signingKeyId } : {}),
      },
      retiredKeys,
    };
  if (config.mode === "production")
    throw new Error(
      "production mode needs a signing key every replica shares: set auth.signingKeyFile (an Ed25519 PKCS#8 PEM; `openssl genpkey -algorithm ed25519`) or auth.jwtSecret",
    );
  if (config.mode === "embedded") return { dataDir: resolve(config.dataDir, "keys"), retiredKeys };
  return { retiredKeys };
}

async function readKey(file: string, setting: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    throw new Error(`${setting}: cannot read ${file}: ${(e as Error).message}`);
  }
}

/**
 * setUpAccess builds identity and access from the configuration: the signing keys and the
 * cluster CA of node certificates (generated into the data directory in embedded mode, ephemeral
 * in dev mode, configured in production), the token issuer, session checks, login rate limits
 * and the access interceptor.
 */
export async function setUpAccess(
  config: Config,
  backends: IdentityBackends,
  logger: Logger,
): Promise<Access> {
  const a = config.auth;
  const keys = await KeyRing.load(await keyRingOptions(config));
  const tokens = new TokenIssuer({
    keys,
    issuer: a.issuer,
    audience: a.audience,
    clockSkewSec: a.clockSkewSec,
  });
  const liveness = new SessionLiveness(backends.sessions, a.sessionCheckSec * 1000);
  const windowMs = a.loginRateLimit.windowSec * 1000;
  const limits = {
    perUser: backends.rateLimiter({ limit: a.loginRateLimit.perUser, windowMs, prefix: "ratelimit:" }),
    perAddress: backends.rateLimiter({
      limit: a.loginRateLimit.perAddress,
      windowMs,
      prefix: "ratelimit:",
    }),
  };
  logger.info({ source: keys.source, kid: keys.signingKey.kid }, "access tokens: signing key loaded");
  const nodeCa = await loadClusterCa(config);
  // Over TLS nodes authenticate with their certificates; without a CA to issue them, with tokens still.
  const nodesByCertificate = config.server.tls !== undefined && nodeCa !== undefined;
  if (nodeCa)
    logger.info(
      { source: nodeCa.source, subject: nodeCa.certificate.subject, nodesByCertificate },
      "node certificates: cluster CA loaded",
    );
  else if (config.server.tls)
    logger.warn(
      "node certificates are not offered (no auth.nodeCa): nodes authenticate with bearer tokens over TLS",
    );
  if (!a.enabled)
    logger.warn(
      "AUTHENTICATION IS OFF (auth.enabled=false): every caller that reaches the port is an administrator",
    );
  // One bearer authenticator (and its cache of verified tokens) for the RPCs and /metrics alike.
  const bearer = new BearerAuthenticator(tokens, liveness);
  return {
    tokens,
    bearer,
    keys,
    liveness,
    ...(nodeCa ? { nodeCa } : {}),
    module: authModule({
      sessions: backends.sessions,
      liveness,
      tokens,
      limits,
      accessTokenTtlSec: a.accessTokenTtlSec,
      refreshTokenTtlSec: a.refreshTokenTtlSec,
      passwordMinLength: a.passwordMinLength,
    }),
    nodeJoinModule: nodeJoinModule({
      sessions: backends.sessions,
      liveness,
      tokens,
      perAddress: limits.perAddress,
      accessTokenTtlSec: a.accessTokenTtlSec,
      refreshTokenTtlSec: a.refreshTokenTtlSec,
      ...(nodeCa ? { ca: nodeCa } : {}),
      certificateDays: a.nodeCertificateDays,
    }),
    interceptor: (deps) =>
      checkAccess({
        enabled: a.enabled,
        authenticator: new CallAuthenticator(
          bearer,
          nodeCa ? new NodeCertificateAuthenticator(nodeCa, liveness, deps.repos.nodes) : undefined,
          nodesByCertificate,
        ),
        policy: POLICY,
        lookup: repositoryLookup(deps.repos),
        audit: new AuditRecorder(deps.repos.audit, deps.ids, deps.clock, deps.logger),
        logger: deps.logger,
      }),
  };
}
