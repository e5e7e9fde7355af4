import {
  type AuthSession,
  alreadyExists,
  type Clock,
  checkNewAuthSession,
  checkRotation,
  checkSessionId,
  checkSessionUserId,
  invalidArgument,
  type NewAuthSession,
  newSessionId,
  type RotateOutcome,
  type SessionStore,
  systemClock,
} from "@limiquantix/domain";
import { classifyDbError } from "../errors/classify-db-error";
import type { SqlExecutor } from "../sql/executor";

/** SqlSessionStoreOptions supply the clock of timestamps and expiry. */
export interface SqlSessionStoreOptions {
  /** The clock (a manual one in tests); the system clock by default. */
  readonly clock?: Clock;
}

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const COLUMNS = `user_id, generation, data::text AS data,
  to_char(created_at AT TIME ZONE 'UTC', ${ISO}) AS created_at,
  to_char(expires_at AT TIME ZONE 'UTC', ${ISO}) AS expires_at`;

type SessionRow = {
  user_id: string;
  generation: number;
  data: string;
  created_at: string;
  expires_at: string;
};

// Live: not revoked and not expired at the clock's now ($now is always a timestamptz parameter).
const GET = `SELECT ${COLUMNS} FROM auth_sessions
  WHERE id = $1 AND revoked_at IS NULL AND expires_at > $2::timestamptz`;

// One statement does the whole rotation: it locks the live row, and either swaps the hash
// ($2 current → $3) or, for any other hash, revokes the family. A concurrent rotation waits for
// the row and then re-reads it, so of two with the same hash the second finds the new hash and
// revokes, and any later one finds the row revoked and matches nothing.
const ROTATE = `UPDATE auth_sessions SET
    secret_hash = CASE WHEN secret_hash = $2 THEN $3 ELSE secret_hash END,
    generation = CASE WHEN secret_hash = $2 THEN generation + 1 ELSE generation END,
    expires_at = CASE WHEN secret_hash = $2 THEN $4::timestamptz ELSE expires_at END,
    revoked_at = CASE WHEN secret_hash = $2 THEN NULL ELSE $5::timestamptz END
  WHERE id = $1 AND revoked_at IS NULL AND expires_at > $5::timestamptz
  RETURNING revoked_at IS NULL AS rotated, ${COLUMNS}`;

/**
 * SqlSessionStore implements SessionStore on the `auth_sessions` table (migration 5), on
 * PostgreSQL and PGlite alike: one row per refresh-token family holding the current secret's
 * hash. Every method is one statement, so a rotation is atomic without a transaction. Ended
 * rows are kept (an id is never given twice) until purge removes them.
 */
export class SqlSessionStore implements SessionStore {
  private readonly clock: Clock;

  constructor(
    private readonly db: SqlExecutor,
    options: SqlSessionStoreOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
  }

  async create(input: NewAuthSession): Promise<AuthSession> {
    const checked = checkNewAuthSession(input);
    const now = this.clock.now();
    const session: AuthSession = {
      id: checked.id ?? newSessionId(),
      userId: checked.userId,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + checked.ttlMs).toISOString(),
      generation: 0,
      data: checked.data,
    };
    const res = await this.run(`creating a session for user "${session.userId}"`, () =>
      this.db.query(
        `INSERT INTO auth_sessions (id, user_id, secret_hash, data, created_at, expires_at)
         VALUES ($1, $2, $3, $4::jsonb, $5::timestamptz, $6::timestamptz)
         ON CONFLICT (id) DO NOTHING`,
        [
          session.id,
          session.userId,
          checked.secretHash,
          checked.dataJson,
          session.createdAt,
          session.expiresAt,
        ],
      ),
    );
    if (res.rowCount !== 1) throw alreadyExists("AuthSession", session.id);
    return session;
  }

  async get(id: string): Promise<AuthSession | undefined> {
    const checked = checkSessionId(id);
    const res = await this.run("reading a session", () =>
      this.db.query<SessionRow>(GET, [checked, this.nowIso()]),
    );
    const row = res.rows[0];
    return row && sessionOf(checked, row);
  }

  async rotate(
    id: string,
    presentedSecretHash: string,
    nextSecretHash: string,
    ttlMs: number,
  ): Promise<RotateOutcome> {
    const r = checkRotation(id, presentedSecretHash, nextSecretHash, ttlMs);
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + r.ttlMs).toISOString();
    const res = await this.run("rotating a session", () =>
      this.db.query<SessionRow & { rotated: boolean }>(ROTATE, [
        r.id,
        r.presentedSecretHash,
        r.nextSecretHash,
        expiresAt,
        now.toISOString(),
      ]),
    );
    const row = res.rows[0];
    if (!row) return { outcome: "unknown" };
    if (!row.rotated) return { outcome: "reused" };
    return { outcome: "rotated", session: sessionOf(r.id, row) };
  }

  async revoke(id: string): Promise<boolean> {
    const checked = checkSessionId(id);
    const res = await this.run("revoking a session", () =>
      this.db.query(
        `UPDATE auth_sessions SET revoked_at = $2::timestamptz
         WHERE id = $1 AND revoked_at IS NULL AND expires_at > $2::timestamptz`,
        [checked, this.nowIso()],
      ),
    );
    return res.rowCount === 1;
  }

  async revokeAllForUser(userId: string): Promise<number> {
    const user = checkSessionUserId(userId);
    const res = await this.run(`revoking the sessions of user "${user}"`, () =>
      this.db.query(
        `UPDATE auth_sessions SET revoked_at = $2::timestamptz
         WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2::timestamptz`,
        [user, this.nowIso()],
      ),
    );
    return res.rowCount;
  }

  /**
   * purge deletes the families that ended (expired or were revoked) more than retainMs ago
   * (default 0: every ended family) and returns how many; run it now and then, from a
   * scheduled job, to keep the table small.
   */
  async purge(retainMs = 0): Promise<number> {
    if (!Number.isSafeInteger(retainMs) || retainMs < 0)
      throw invalidArgument([
        { field: "retainMs", description: `must be an integer of at least 0 (got ${retainMs})` },
      ]);
    const before = new Date(this.clock.now().getTime() - retainMs).toISOString();
    const res = await this.run("purging ended sessions", () =>
      this.db.query(
        `DELETE FROM auth_sessions
         WHERE expires_at <= $1::timestamptz OR revoked_at <= $1::timestamptz`,
        [before],
      ),
    );
    return res.rowCount;
  }

  private nowIso(): string {
    return this.clock.now().toISOString();
  }

  private async run<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      throw classifyDbError(error, action);
    }
  }
}

function sessionOf(id: string, row: SessionRow): AuthSession {
  return {
    id,
    userId: row.user_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    generation: Number(row.generation),
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}
