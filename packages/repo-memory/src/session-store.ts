import {
  type AuthSession,
  alreadyExists,
  type Clock,
  checkNewAuthSession,
  checkRotation,
  checkSessionId,
  checkSessionUserId,
  type NewAuthSession,
  newSessionId,
  type RotateOutcome,
  type SessionStore,
  systemClock,
} from "@limiquantix/domain";

interface Family {
  session: AuthSession;
  secretHash: string;
  readonly dataJson: string;
}

/**
 * MemorySessionStore keeps refresh-token families in process: the reference SessionStore. Each
 * method runs without awaiting, so a rotation is atomic by construction. Expiry runs on the
 * injected clock; ended sessions are dropped when touched and by a sweep on writes.
 */
export class MemorySessionStore implements SessionStore {
  private readonly families = new Map<string, Family>();
  private writes = 0;

  constructor(private readonly clock: Clock = systemClock) {}

  async create(input: NewAuthSession): Promise<AuthSession> {
    const checked = checkNewAuthSession(input);
    const id = checked.id ?? newSessionId();
    if (this.live(id)) throw alreadyExists("AuthSession", id);
    const now = this.now();
    const session: AuthSession = {
      id,
      userId: checked.userId,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + checked.ttlMs).toISOString(),
      generation: 0,
      data: checked.data,
    };
    this.families.set(id, { session, secretHash: checked.secretHash, dataJson: checked.dataJson });
    if (++this.writes % 1024 === 0) this.sweep();
    return this.copy(this.families.get(id)!);
  }

  async get(id: string): Promise<AuthSession | undefined> {
    const family = this.live(checkSessionId(id));
    return family && this.copy(family);
  }

  async rotate(
    id: string,
    presentedSecretHash: string,
    nextSecretHash: string,
    ttlMs: number,
  ): Promise<RotateOutcome> {
    const r = checkRotation(id, presentedSecretHash, nextSecretHash, ttlMs);
    const family = this.live(r.id);
    if (!family) return { outcome: "unknown" };
    if (family.secretHash !== r.presentedSecretHash) {
      this.families.delete(r.id);
      return { outcome: "reused" };
    }
    family.secretHash = r.nextSecretHash;
    family.session = {
      ...family.session,
      generation: family.session.generation + 1,
      expiresAt: new Date(this.now() + r.ttlMs).toISOString(),
    };
    return { outcome: "rotated", session: this.copy(family) };
  }

  async revoke(id: string): Promise<boolean> {
    const checked = checkSessionId(id);
    const had = this.live(checked) !== undefined;
    this.families.delete(checked);
    return had;
  }

  async revokeAllForUser(userId: string): Promise<number> {
    const user = checkSessionUserId(userId);
    let revoked = 0;
    for (const [id] of this.families) {
      const family = this.live(id);
      if (family?.session.userId !== user) continue;
      this.families.delete(id);
      revoked++;
    }
    return revoked;
  }

  /** size is how many live sessions the store holds. */
  get size(): number {
    this.sweep();
    return this.families.size;
  }

  /** live returns a live family, dropping it when it has expired. */
  private live(id: string): Family | undefined {
    const family = this.families.get(id);
    if (family === undefined) return undefined;
    if (Date.parse(family.session.expiresAt) <= this.now()) {
      this.families.delete(id);
      return undefined;
    }
    return family;
  }

  private sweep(): void {
    for (const [id] of this.families) this.live(id);
  }

  // Callers get copies, as they would from a shared store: changing one changes nothing stored.
  private copy(family: Family): AuthSession {
    return { ...family.session, data: JSON.parse(family.dataJson) as Record<string, unknown> };
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}
