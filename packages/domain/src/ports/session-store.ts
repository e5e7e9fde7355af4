import { serviceIdentifier } from "./service-identifier";

/**
 * AuthSession is one login's refresh-token family: every refresh token issued since the login
 * belongs to it, and only the newest one (its current secret) may be exchanged. The store keeps
 * a hash of that secret, never the secret itself, and never hands the hash back.
 */
export interface AuthSession {
  /** The family id: unguessable (see newSessionId), made by the store when create is not given one. */
  readonly id: string;
  readonly userId: string;
  /** When the family began (the login), ISO-8601 UTC. */
  readonly createdAt: string;
  /** When the family ends unless rotated again, ISO-8601 UTC. */
  readonly expiresAt: string;
  /** 0 at create, one more with every rotation. */
  readonly generation: number;
  /** Small JSON attributes (client address, user agent…), as a JSON round trip of what create got. */
  readonly data: Readonly<Record<string, unknown>>;
}

/** NewAuthSession describes a session to create: its user, the hash of its first secret and its lifetime. */
export interface NewAuthSession {
  /** A family id of the caller's choosing (see SessionId); the store makes one when omitted. */
  readonly id?: string;
  readonly userId: string;
  /** The hash of the first refresh token's secret (the caller hashes; the store compares hashes only). */
  readonly secretHash: string;
  /** Lifetime in ms, a positive integer: the session expires this long after create (or after a rotation). */
  readonly ttlMs: number;
  /** Small JSON attributes, at most MAX_SESSION_DATA_BYTES once serialised (default `{}`). */
  readonly data?: Record<string, unknown>;
}

/** RotateOutcome is what a rotation did: rotated the session, revoked it as reused, or found nothing live. */
export type RotateOutcome =
  /** The presented hash was the current one: it is replaced by the next, generation + 1, expiresAt = now + ttlMs. */
  | { readonly outcome: "rotated"; readonly session: AuthSession }
  /** The session was live but the presented hash was not the current one: the session was revoked in the same atomic step. */
  | { readonly outcome: "reused" }
  /** No such session, or it has expired or been revoked. */
  | { readonly outcome: "unknown" };

/**
 * SessionStore keeps refresh-token families with rotation and theft detection. Every method
 * refuses malformed input (ids, hashes, TTLs) with InvalidArgument before touching anything.
 *
 * Concurrency: rotate is an atomic compare-and-swap on the current hash, so concurrent rotations
 * of one session take effect one after the other. Of several presenting the same current hash,
 * exactly one is "rotated"; the next is "reused", which revokes the whole family, the one just
 * rotated included; any after that find the family revoked and are "unknown". That is the
 * intended theft detection (a refresh token must be exchanged once, and a second use cannot be
 * told from a thief's), so clients must not refresh concurrently with one token.
 */
export interface SessionStore {
  /** create stores a new session at generation 0 and returns it; a given id already in use is AlreadyExists. */
  create(input: NewAuthSession): Promise<AuthSession>;
  /** get returns a live session, or undefined when unknown, expired or revoked. */
  get(id: string): Promise<AuthSession | undefined>;
  /**
   * rotate swaps the current secret hash for the next one if presentedSecretHash is the current
   * one ("rotated"); if it is not, it revokes the session ("reused"); "unknown" when the session
   * is not live. See the interface's note on concurrent rotations.
   */
  rotate(
    id: string,
    presentedSecretHash: string,
    nextSecretHash: string,
    ttlMs: number,
  ): Promise<RotateOutcome>;
  /** revoke ends a session at once and says whether it was live. */
  revoke(id: string): Promise<boolean>;
  /** revokeAllForUser ends every live session of a user (after a password change, say) and returns how many. */
  revokeAllForUser(userId: string): Promise<number>;
}
/** SessionStore is the service identifier of the SessionStore port. */
export const SessionStore = serviceIdentifier<SessionStore>("SessionStore");
