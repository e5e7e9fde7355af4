import { internal } from "@limiquantix/domain";
import type { Redis } from "ioredis";

/** LuaCommand runs a server-side Lua script atomically with the given keys and arguments. */
export type LuaCommand = (keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;

type CustomCommand = (...keysAndArgs: (string | number)[]) => Promise<unknown>;

/**
 * defineLuaCommand registers a Lua script on a connection as an ioredis custom command and returns a
 * function that runs it. ioredis sends the script by its SHA1 (EVALSHA) and its source only when the
 * server does not know it yet, after a restart or a SCRIPT FLUSH.
 */
export function defineLuaCommand(redis: Redis, name: string, numberOfKeys: number, lua: string): LuaCommand {
  redis.defineCommand(name, { numberOfKeys, lua });
  // defineCommand adds a method named after the command; ioredis's types cannot know of it.
  const command = (redis as unknown as Record<string, CustomCommand | undefined>)[name];
  if (typeof command !== "function") throw internal(`ioredis did not define the ${name} command`);
  return (keys, args) => command.call(redis, ...keys, ...args);
}
