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
import type { Redis } from "ioredis";
import { classifyRedisError } from "./errors";
import { defineLuaCommand, type LuaCommand } from "./lua-command";

export {
  type AuthSession,
  type NewAuthSession,
  type RotateOutcome,
  SessionStore,
} from "@limiquantix/domain";

/** Session is the former name of AuthSession. @deprecated import AuthSession from @limiquantix/domain. */
export type Session = AuthSession;
/** NewSession is the former name of NewAuthSession. @deprecated import NewAuthSession from @limiquantix/domain. */
export type NewSession = NewAuthSession;

/** RedisSessionStoreOptions name the keys and, in tests, supply the clock. */
export interface RedisSessionStoreOptions {
  /** Prefix of the store's keys (default `lqx:session:`). */
  readonly keyPrefix?: string;
  /** The clock of timestamps and expiry (a manual clock in tests); the system clock by default. */
  readonly clock?: Clock;
}

// A family is a hash at <prefix>family:<id> with fields user, hash (the current secret's hash),
// gen, created (ISO), exp (ms since the epoch) and data (JSON); <prefix>user-families:<user> is
// the set of a user's family ids. Liveness is exp > the clock's now; the keys' Redis TTLs only
// collect what has ended. The scripts derive the index and family keys from ARGV[prefix], so
// on Redis Cluster the key prefix must carry a hash tag (`{lqx}:session:`) to keep them on one node.

const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'user', ARGV[1], 'hash', ARGV[2], 'gen', 0, 'created', ARGV[3], 'exp', ARGV[4], 'data', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('SADD', KEYS[2], ARGV[7])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[6]) then redis.call('PEXPIRE', KEYS[2], ARGV[6]) end
return 1
`;

// Compare-and-swap of the current hash; a wrong hash on a live family deletes it (theft detection).
const ROTATE = `
local f = redis.call('HMGET', KEYS[1], 'hash', 'exp', 'user')
if not f[1] then return {'unknown'} end
local index = ARGV[6] .. 'user-families:' .. f[3]
if tonumber(f[2]) <= tonumber(ARGV[3]) then
  redis.call('DEL', KEYS[1])
  redis.call('SREM', index, ARGV[7])
  return {'unknown'}
end
if f[1] ~= ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('SREM', index, ARGV[7])
  return {'reused'}
end
local gen = redis.call('HINCRBY', KEYS[1], 'gen', 1)
redis.call('HSET', KEYS[1], 'hash', ARGV[2], 'exp', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
if redis.call('PTTL', index) < tonumber(ARGV[5]) then redis.call('PEXPIRE', index, ARGV[5]) end
local s = redis.call('HMGET', KEYS[1], 'user', 'created', 'data')
return {'rotated', s[1], s[2], tostring(gen), s[3]}
`;

const REVOKE = `
local f = redis.call('HMGET', KEYS[1], 'user', 'exp')
if not f[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SREM', ARGV[2] .. 'user-families:' .. f[1], ARGV[3])
if tonumber(f[2]) <= tonumber(ARGV[1]) then return 0 end
return 1
`;

const REVOKE_ALL = `
local n = 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local key = ARGV[2] .. 'family:' .. id
  local f = redis.call('HMGET', key, 'user', 'exp')
  if f[1] == ARGV[3] then
    if tonumber(f[2]) > tonumber(ARGV[1]) then n = n + 1 end
    redis.call('DEL', key)
  end
end
redis.call('DEL', KEYS[1])
return n
`;

type Reply = (string | null)[];

/**
 * RedisSessionStore implements SessionStore on Redis: one hash per refresh-token family holding
 * the current secret's hash (never a token), and a per-user index. Create, rotate, revoke and
 * revokeAllForUser each run as one Lua script, so a rotation is an atomic compare-and-swap on
 * every replica.
 */
export class RedisSessionStore implements SessionStore {
  private readonly prefix: string;
  private readonly clock: Clock;
  private readonly createFamily: LuaCommand;
  private readonly rotateFamily: LuaCommand;
  private readonly revokeFamily: LuaCommand;
  private readonly revokeFamilies: LuaCommand;

  constructor(
    private readonly redis: Redis,
    options: RedisSessionStoreOptions = {},
  ) {
    this.prefix = options.keyPrefix ?? "lqx:session:";
    this.clock = options.clock ?? systemClock;
    this.createFamily = defineLuaCommand(redis, "lqxCreateSessionFamily", 2, CREATE);
    this.rotateFamily = defineLuaCommand(redis, "lqxRotateSessionFamily", 1, ROTATE);
    this.revokeFamily = defineLuaCommand(redis, "lqxRevokeSessionFamily", 1, REVOKE);
    this.revokeFamilies = defineLuaCommand(redis, "lqxRevokeUserSessionFamilies", 1, REVOKE_ALL);
  }

  async create(input: NewAuthSession): Promise<AuthSession> {
    const checked = checkNewAuthSession(input);
    const now = this.now();
    const session: AuthSession = {
      id: checked.id ?? newSessionId(),
      userId: checked.userId,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + checked.ttlMs).toISOString(),
      generation: 0,
      data: checked.data,
    };
    let created: unknown;
    try {
      created = await this.createFamily(
        [this.familyKey(session.id), this.indexKey(session.userId)],
        [
          session.userId,
          checked.secretHash,
          session.createdAt,
          now + checked.ttlMs,
          checked.dataJson,
          checked.ttlMs,
          session.id,
        ],
      );
    } catch (err) {
      throw classifyRedisError(err, `creating a session for user "${session.userId}"`);
    }
    if (created !== 1) throw alreadyExists("AuthSession", session.id);
    return session;
  }

  async get(id: string): Promise<AuthSession | undefined> {
    const key = this.familyKey(checkSessionId(id));
    let f: Reply;
    try {
      f = await this.redis.hmget(key, "user", "created", "exp", "gen", "data");
    } catch (err) {
      throw classifyRedisError(err, "reading a session");
    }
    const [user, created, exp, gen, data] = f;
    if (user == null || created == null || exp == null || gen == null || data == null) return undefined;
    if (Number(exp) <= this.now()) return undefined;
    return sessionOf(id, user, created, Number(exp), gen, data);
  }

  async rotate(
    id: string,
    presentedSecretHash: string,
    nextSecretHash: string,
    ttlMs: number,
  ): Promise<RotateOutcome> {
    const r = checkRotation(id, presentedSecretHash, nextSecretHash, ttlMs);
    const now = this.now();
    const expiresAt = now + r.ttlMs;
    let reply: Reply;
    try {
      reply = (await this.rotateFamily(
        [this.familyKey(r.id)],
        [r.presentedSecretHash, r.nextSecretHash, now, expiresAt, r.ttlMs, this.prefix, r.id],
      )) as Reply;
    } catch (err) {
      throw classifyRedisError(err, "rotating a session");
    }
    const [outcome, user, created, gen, data] = reply;
    if (outcome === "reused") return { outcome: "reused" };
    if (outcome !== "rotated" || user == null || created == null || gen == null || data == null)
      return { outcome: "unknown" };
    return { outcome: "rotated", session: sessionOf(r.id, user, created, expiresAt, gen, data) };
  }

  async revoke(id: string): Promise<boolean> {
    const checked = checkSessionId(id);
    try {
      const revoked = await this.revokeFamily([this.familyKey(checked)], [this.now(), this.prefix, checked]);
      return revoked === 1;
    } catch (err) {
      throw classifyRedisError(err, "revoking a session");
    }
  }

  async revokeAllForUser(userId: string): Promise<number> {
    const user = checkSessionUserId(userId);
    try {
      return Number(await this.revokeFamilies([this.indexKey(user)], [this.now(), this.prefix, user]));
    } catch (err) {
      throw classifyRedisError(err, `revoking the sessions of user "${user}"`);
    }
  }

  private familyKey(id: string): string {
    return `${this.prefix}family:${id}`;
  }

  private indexKey(userId: string): string {
    return `${this.prefix}user-families:${userId}`;
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}

function sessionOf(
  id: string,
  userId: string,
  createdAt: string,
  expiresAtMs: number,
  generation: string,
  data: string,
): AuthSession {
  return {
    id,
    userId,
    createdAt,
    expiresAt: new Date(expiresAtMs).toISOString(),
    generation: Number(generation),
    data: JSON.parse(data) as Record<string, unknown>,
  };
}
