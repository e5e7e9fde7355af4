import type { SessionStore } from "@limiquantix/domain";

interface Known {
  readonly live: boolean;
  readonly until: number;
  readonly userId?: string;
}

/**
 * SessionLiveness answers "is this session still live?" for every authenticated call, asking the
 * session store at most once per session per `ttlMs`: a logout or a revocation through another
 * replica takes effect here within that time; through this replica, at once. While the store
 * cannot be reached, sessions known to be live stay trusted (their access tokens still expire).
 */
export class SessionLiveness {
  private readonly known = new Map<string, Known>();

  constructor(
    private readonly sessions: SessionStore,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** isLive says whether the session exists, has not expired and was not revoked. */
  async isLive(sessionId: string): Promise<boolean> {
    const t = this.now();
    const hit = this.known.get(sessionId);
    if (hit && hit.until > t) return hit.live;
    let session: Awaited<ReturnType<SessionStore["get"]>>;
    try {
      session = await this.sessions.get(sessionId);
    } catch (e) {
      // The session store is unreachable (Redis down, say): a session seen live before stays
      // trusted until its access token expires, so signed-in callers ride out the outage; one
      // never seen cannot be checked, and the call fails with the store's error.
      if (hit?.live) return true;
      throw e;
    }
    if (this.known.size > 100_000) this.known.clear();
    this.known.set(sessionId, {
      live: session !== undefined,
      until: t + this.ttlMs,
      ...(session ? { userId: session.userId } : {}),
    });
    return session !== undefined;
  }

  /** markRevoked records that this replica ended the session, so its access tokens stop at once here. */
  markRevoked(sessionId: string): void {
    this.known.set(sessionId, { live: false, until: this.now() + this.ttlMs });
  }

  /** revokedUser records that this replica ended every session of the user. */
  revokedUser(userId: string): void {
    for (const [id, k] of this.known) if (k.userId === userId) this.markRevoked(id);
  }
}
