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
  constructor(
    private readonly tokens: TokenIssuer,
    private readonly liveness: SessionLiveness,
  ) {}

  async authenticate(header: Headers): Promise<Principal> {
    const value = header.get("authorization");
    if (value === null) return ANONYMOUS;
    const m = BEARER.exec(value);
    if (!m)
      throw unauthenticated("the authorization header must be 'Bearer <access token>'", {
        reason: "credentials-malformed",
      });
    const { claims } = await this.tokens.verify(m[1] as string);
    if (claims.sessionId && !(await this.liveness.isLive(claims.sessionId)))
      throw unauthenticated("the session of this token has ended: log in again", { reason: "session-ended" });
    return principalOf(claims);
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
