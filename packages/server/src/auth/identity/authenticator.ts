import type { X509Certificate } from "node:crypto";
import { unauthenticated } from "@limiquantix/domain";
import { ANONYMOUS, type Principal } from "../../context/call-context";
import type { TokenIssuer } from "../tokens/token-issuer";
import { principalOf } from "./access-claims";
import type { NodeCertificateAuthenticator } from "./node-certificate-authenticator";
import type { SessionLiveness } from "./session-liveness";

/**
 * Authenticator tells who makes a call from its headers and the client certificate its TLS
 * connection presented (one the listener verified): ANONYMOUS when it carries no credentials.
 */
export interface Authenticator {
  authenticate(header: Headers, peerCertificate?: X509Certificate): Promise<Principal>;
}

const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;

/**
 * BearerAuthenticator reads `authorization: Bearer <access token>`: the token must verify (key,
 * algorithm, issuer, audience, lifetime) and its session must still be live. A header that is
 * present and wrong is refused, never treated as anonymous.
 */
export class BearerAuthenticator implements Authenticator {
  /** Tokens verified before, with who they speak for and until when: a signature is checked once per token, not per call. */
  private readonly verified = new Map<string, { principal: Principal; expiresAt: number }>();

  constructor(
    private readonly tokens: TokenIssuer,
    private readonly liveness: SessionLiveness,
    private readonly now: () => number = Date.now,
    private readonly maxRemembered = 10_000,
  ) {}

  async authenticate(header: Headers): Promise<Principal> {
    const value = header.get("authorization");
    if (value === null) return ANONYMOUS;
    const m = BEARER.exec(value);
    if (!m)
      throw unauthenticated("the authorization header must be 'Bearer <access token>'", {
        reason: "credentials-malformed",
      });
    const token = m[1] as string;
    const principal = await this.principalOf(token);
    if (principal.sessionId && !(await this.liveness.isLive(principal.sessionId)))
      throw unauthenticated("the session of this token has ended: log in again", { reason: "session-ended" });
    return principal;
  }

  private async principalOf(token: string): Promise<Principal> {
    const hit = this.verified.get(token);
    if (hit && hit.expiresAt > this.now()) return hit.principal;
    // An expired token is verified again, so it is refused with the verifier's own message.
    const { claims, expiresAt } = await this.tokens.verify(token);
    const principal = principalOf(claims);
    if (this.verified.size >= this.maxRemembered) this.verified.clear();
    this.verified.set(token, { principal, expiresAt: expiresAt.getTime() });
    return principal;
  }
}

/**
 * CallAuthenticator authenticates a call by its bearer token or, without one, by its TLS client
 * certificate (a node's, from the cluster CA). With `nodesByCertificate` (the listener serves TLS
 * and the cluster CA signs node certificates) nodes must come by certificate: a node's bearer
 * token is refused, so a stolen node token is no use without the node's private key.
 */
export class CallAuthenticator implements Authenticator {
  constructor(
    private readonly bearer: Authenticator,
    private readonly certificates: NodeCertificateAuthenticator | undefined,
    private readonly nodesByCertificate: boolean,
  ) {}

  async authenticate(header: Headers, peerCertificate?: X509Certificate): Promise<Principal> {
    if (header.get("authorization") !== null) {
      const principal = await this.bearer.authenticate(header);
      if (principal.kind === "node" && this.nodesByCertificate)
        throw unauthenticated(
          "over TLS a node authenticates with its node certificate, not a bearer token: ask for one with csr_pem (NodeJoinService/JoinNode or RefreshNodeCredentials) and present it as the TLS client certificate",
          { reason: "node-certificate-required" },
        );
      return principal;
    }
    if (peerCertificate && this.certificates)
      return (await this.certificates.authenticate(peerCertificate)) ?? ANONYMOUS;
    return ANONYMOUS;
  }
}

/**
 * OPEN_ACCESS is the principal of every call when authentication is turned off: an administrator
 * nobody can tell apart (the audit log shows it as `anonymous`).
 */
export const OPEN_ACCESS: Principal = Object.freeze({
  kind: "anonymous",
  id: "anonymous",
  name: "anonymous",
  role: "admin",
});
