import type { NodeLiveness } from "@limiquantix/domain";
import type { Redis } from "ioredis";
import { classifyRedisError } from "./errors";
import { defineLuaCommand, type LuaCommand } from "./lua-command";

/** RedisNodeLivenessOptions name the hash that holds the beats. */
export interface RedisNodeLivenessOptions {
  /** The hash of node id → last beat (epoch ms); default `lqx:node-beats`. */
  readonly key?: string;
}

// Keeps the newer of the stored and the given time, so a beat that reaches one replica late (or a
// replica whose clock lags) never moves a node's last beat back.
const BEAT = `
local c = redis.call('HGET', KEYS[1], ARGV[1])
if (not c) or tonumber(c) < tonumber(ARGV[2]) then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return 1
`;

/**
 * RedisNodeLiveness keeps node beats in one Redis hash, shared by the replicas: any replica an
 * agent reaches records its beat, and the leader reads them all with one HGETALL.
 */
export class RedisNodeLiveness implements NodeLiveness {
  private readonly key: string;
  private readonly beatCommand: LuaCommand;

  constructor(
    private readonly redis: Redis,
    options: RedisNodeLivenessOptions = {},
  ) {
    this.key = options.key ?? "lqx:node-beats";
    this.beatCommand = defineLuaCommand(redis, "lqxNodeBeat", 1, BEAT);
  }

  async beat(nodeId: string, atMs: number): Promise<void> {
    try {
      await this.beatCommand([this.key], [nodeId, Math.trunc(atMs)]);
    } catch (err) {
      throw classifyRedisError(err, "recording a node beat");
    }
  }

  async lastBeats(): Promise<ReadonlyMap<string, number>> {
    let raw: Record<string, string>;
    try {
      raw = await this.redis.hgetall(this.key);
    } catch (err) {
      throw classifyRedisError(err, "reading node beats");
    }
    const beats = new Map<string, number>();
    for (const [id, v] of Object.entries(raw)) {
      const ms = Number(v);
      if (Number.isFinite(ms)) beats.set(id, ms);
    }
    return beats;
  }

  async forget(nodeId: string): Promise<void> {
    try {
      await this.redis.hdel(this.key, nodeId);
    } catch (err) {
      throw classifyRedisError(err, "forgetting a node's beats");
    }
  }
}
