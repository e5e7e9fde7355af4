import { unauthenticated } from "@limiquantix/domain";
import { ANONYMOUS, type Principal } from "../../context/call-context";
import type { TokenIssuer } from "../tokens/token-issuer";
import { principalOf } from "./access-claims";
import type { SessionLiveness } from "./session-liveness";

/** Authenticator tells who makes a call from its headers: ANONYMOUS when it carries no credentials. */
export interface Authenticator {
  authenticate(header: Headers): Promise<Principal>;
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
 * OPEN_ACCESS is the principal of every call when authentication is turned off: an administrator
 * nobody can tell apart (the audit log shows it as `anonymous`).
 */
export const OPEN_ACCESS: Principal = Object.freeze({
  kind: "anonymous",
  id: "anonymous",
  name: "anonymous",
  role: "admin",
});
