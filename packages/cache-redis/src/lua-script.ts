import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

/** LuaScript is a server-side script run by its SHA1 (EVALSHA), loaded on first use or after a flush. */
export class LuaScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash("sha1").update(source).digest("hex");
  }

  /** run executes the script atomically on the server with the given keys and arguments. */
  async run(redis: Redis, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (err) {
      // A restarted or flushed server has forgotten the script: send its source once.
      if (err instanceof Error && err.message.startsWith("NOSCRIPT")) {
        return redis.eval(this.source, keys.length, ...keys, ...args);
      }
      throw err;
    }
  }
}
