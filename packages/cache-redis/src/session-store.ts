import { randomBytes } from "node:crypto";
import { invalidArgument, serviceIdentifier } from "@limiquantix/domain";
import type { Redis } from "ioredis";
import { classifyRedisError, requireKey, requirePositiveInt } from "./errors";
import { defineLuaCommand, type LuaCommand } from "./lua-command";
import { SESSION_TTL_MS } from "./ttl";

/** Session is an authenticated user's session, identified by an unguessable id. */
export interface Session {
  readonly id: string;
  readonly userId: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  /** Small JSON attributes (roles, client address, …). */
  readonly data: Readonly<Record<string, unknown>>;
}

/** NewSession describes a session to create. */
export interface NewSession {
  readonly userId: string;
  readonly data?: Record<string, unknown>;
  /** Lifetime in ms (default SESSION_TTL_MS, 24 hours). */
  readonly ttlMs?: number;
}

/** SessionStore creates, finds and revokes sessions that expire on their own. */
export interface SessionStore {
  /** create stores a new session and returns it with its id. */
  create(input: NewSession): Promise<Session>;
  /** get returns a live session, or undefined when unknown, expired or revoked. */
  get(id: string): Promise<Session | undefined>;
  /** revoke ends a session at once and says whether it was live. */
  revoke(id: string): Promise<boolean>;
  /** revokeAllForUser ends every session of a user (after a password change, say) and returns how many. */
  revokeAllForUser(userId: string): Promise<number>;
}
/** SessionStore is the service identifier of the session store. */
export const SessionStore = serviceIdentifier<SessionStore>("SessionStore");

// Store the session and index it under its user in one step; the index lives as long as the
// longest session in it, so it never outlives them by more than that.
const CREATE = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SADD', KEYS[2], ARGV[3])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
return 1
`;

/** RedisSessionStore implements SessionStore on Redis: one key per session with a TTL, plus a per-user index. */
export class RedisSessionStore implements SessionStore {
  private readonly prefix: string;
  private readonly createSession: LuaCommand;

  constructor(
    private readonly redis: Redis,
    options: { keyPrefix?: string } = {},
  ) {
    this.prefix = options.keyPrefix ?? "lqx:session:";
    this.createSession = defineLuaCommand(redis, "lqxCreateSession", 2, CREATE);
  }

  async create(input: NewSession): Promise<Session> {
    const userId = requireKey("userId", input?.userId);
    const ttlMs = requirePositiveInt("ttlMs", input.ttlMs ?? SESSION_TTL_MS);
    const data = input.data ?? {};
    if (typeof data !== "object" || data === null || Array.isArray(data)) {
      throw invalidArgument([{ field: "data", description: "must be a plain object" }]);
    }
    const now = Date.now();
    const session: Session = {
      id: randomBytes(32).toString("base64url"),
      userId,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + ttlMs).toISOString(),
      data,
    };
    try {
      await this.createSession(
        [this.sessionKey(session.id), this.userKey(userId)],
        [JSON.stringify(session), ttlMs, session.id],
      );
    } catch (err) {
      throw classifyRedisError(err, `creating a session for user "${userId}"`);
    }
    return session;
  }

  async get(id: string): Promise<Session | undefined> {
    const key = this.sessionKey(requireKey("id", id));
    try {
      const raw = await this.redis.get(key);
      return raw === null ? undefined : (JSON.parse(raw) as Session);
    } catch (err) {
      throw classifyRedisError(err, "reading a session");
    }
  }

  async revoke(id: string): Promise<boolean> {
    const key = this.sessionKey(requireKey("id", id));
    try {
      const raw = await this.redis.get(key);
      if (raw === null) return false;
      const { userId } = JSON.parse(raw) as Session;
      const [[, removed] = []] =
        (await this.redis.multi().del(key).srem(this.userKey(userId), id).exec()) ?? [];
      return removed === 1;
    } catch (err) {
      throw classifyRedisError(err, "revoking a session");
    }
  }

  async revokeAllForUser(userId: string): Promise<number> {
    const index = this.userKey(requireKey("userId", userId));
    try {
      const ids = await this.redis.smembers(index);
      if (ids.length === 0) return 0;
      const removed = await this.redis.del(...ids.map((id) => this.sessionKey(id)));
      await this.redis.del(index);
      return removed;
    } catch (err) {
      throw classifyRedisError(err, `revoking the sessions of user "${userId}"`);
    }
  }

  private sessionKey(id: string): string {
    return `${this.prefix}id:${id}`;
  }

  private userKey(userId: string): string {
    return `${this.prefix}user:${userId}`;
  }
}
