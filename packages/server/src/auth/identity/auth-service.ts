import {
  type Clock,
  type RateLimiter,
  type SessionStore,
  type User,
  type UserRepository,
  unauthenticated,
} from "@limiquantix/domain";
import type { Logger } from "pino";
import type { CallContext } from "../../context/call-context";
import type { TokenIssuer } from "../tokens/token-issuer";
import { claimsOf } from "./access-claims";
import { burnVerification, verifyPassword } from "./passwords";
import { formatRefreshToken, hashSecret, newRefreshSecret, parseRefreshToken } from "./refresh-token";
import type { SessionLiveness } from "./session-liveness";

/** TokenPair is what a login or a refresh hands out. */
export interface TokenPair {
  readonly accessToken: string;
  readonly accessTokenExpiresAt: Date;
  readonly refreshToken: string;
  readonly refreshTokenExpiresAt: Date;
  readonly user: User;
}

/** AuthServiceOptions are the ports and settings of sign-in. */
export interface AuthServiceOptions {
  readonly users: UserRepository;
  readonly sessions: SessionStore;
  readonly liveness: SessionLiveness;
  readonly tokens: TokenIssuer;
  /** Login attempts per username and per source address. */
  readonly limits: { readonly perUser: RateLimiter; readonly perAddress: RateLimiter };
  readonly clock: Clock;
  readonly accessTokenTtlSec: number;
  readonly refreshTokenTtlSec: number;
  readonly logger: Logger;
}

const BAD_LOGIN = "invalid username or password";

/** USER_SESSION_KIND marks the sessions of users' sign-ins (in their data), as NODE_SESSION_KIND marks nodes'. */
export const USER_SESSION_KIND = "user";

function expiredOrRevoked() {
  return unauthenticated("refresh token is expired or revoked: log in again", {
    reason: "refresh-token-invalid",
  });
}

/**
 * AuthService signs users in and out: Login checks the password (argon2id) under a rate limit
 * per username and per source address and opens a session; Refresh rotates the session's
 * refresh token (a token used twice revokes the whole session: whoever holds the other copy is
 * cut off too); Logout ends the session. Access tokens are short-lived JWTs; a session that ended
 * stops its access tokens within the session-check interval.
 */
export class AuthService {
  constructor(private readonly o: AuthServiceOptions) {}

  /** login signs in username with password and returns a fresh token pair. */
  async login(ctx: CallContext, username: string, password: string): Promise<TokenPair> {
    await this.o.limits.perUser.enforce(`login:user:${username}`);
    if (ctx.peer) await this.o.limits.perAddress.enforce(`login:addr:${ctx.peer}`);
    const user = await this.o.users.findByName(username);
    if (!user?.passwordHash) {
      await burnVerification(password);
      throw unauthenticated(BAD_LOGIN, { reason: "bad-credentials" });
    }
    if (!(await verifyPassword(user.passwordHash, password)))
      throw unauthenticated(BAD_LOGIN, { reason: "bad-credentials" });
    if (user.disabled) throw unauthenticated("this user is disabled", { reason: "user-disabled" });
    // A good password clears the user's failed attempts, so a typo or two do not lock the user out later.
    await this.o.limits.perUser.reset(`login:user:${username}`);
    const signedIn = await this.o.users
      .update({ ...user, lastLoginAt: this.o.clock.now().toISOString() })
      .catch(() => user);
    const secret = newRefreshSecret();
    const session = await this.o.sessions.create({
      userId: user.id,
      secretHash: secret.hash,
      ttlMs: this.o.refreshTokenTtlSec * 1000,
      data: { kind: USER_SESSION_KIND, ...(ctx.peer ? { peer: ctx.peer } : {}) },
    });
    return this.pair(signedIn, session.id, secret.secret, new Date(session.expiresAt));
  }

  /** refresh exchanges a refresh token for a new pair; the presented token is spent. */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const { sessionId, secret } = parseRefreshToken(refreshToken);
    const session = await this.o.sessions.get(sessionId);
    // Only sign-ins are refreshed here (sessions from before kinds were recorded have none). A
    // node's refresh token (NodeJoinService/RefreshNodeCredentials) or an API token's session is
    // answered as an unknown token and left untouched: rotating it with a wrong secret would
    // revoke it.
    const kind = session?.data.kind;
    if (!session || (kind !== undefined && kind !== USER_SESSION_KIND)) throw expiredOrRevoked();
    const next = newRefreshSecret();
    const rotated = await this.o.sessions.rotate(
      sessionId,
      hashSecret(secret),
      next.hash,
      this.o.refreshTokenTtlSec * 1000,
    );
    if (rotated.outcome === "reused") {
      this.o.liveness.markRevoked(sessionId);
      this.o.logger.warn({ sessionId }, "a spent refresh token was presented again: the session is revoked");
      throw unauthenticated("refresh token was already used: the session is revoked, log in again", {
        reason: "refresh-token-reused",
      });
    }
    if (rotated.outcome === "unknown") throw expiredOrRevoked();
    const user = await this.o.users.get(rotated.session.userId).catch(() => undefined);
    if (!user || user.disabled) {
      await this.o.sessions.revoke(sessionId);
      this.o.liveness.markRevoked(sessionId);
      throw unauthenticated("the session's user no longer exists or is disabled", {
        reason: "user-disabled",
      });
    }
    return this.pair(user, sessionId, next.secret, new Date(rotated.session.expiresAt));
  }

  /** logout ends the session of a refresh token, or else the caller's own session; it is not an error to log out twice. */
  async logout(ctx: CallContext, refreshToken: string): Promise<void> {
    const sessionId = refreshToken ? parseRefreshToken(refreshToken).sessionId : ctx.principal.sessionId;
    if (!sessionId) return;
    await this.o.sessions.revoke(sessionId);
    this.o.liveness.markRevoked(sessionId);
  }

  private async pair(
    user: User,
    sessionId: string,
    secret: string,
    refreshExpiresAt: Date,
  ): Promise<TokenPair> {
    const access = await this.o.tokens.sign(claimsOf(user, sessionId), this.o.accessTokenTtlSec);
    return {
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken: formatRefreshToken(sessionId, secret),
      refreshTokenExpiresAt: refreshExpiresAt,
      user,
    };
  }
}
