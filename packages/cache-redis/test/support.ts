import { randomUUID } from "node:crypto";
import { testRedis } from "@limiquantix/testkit";
import { type RedisAdapters, type RedisAdaptersOptions, createRedisAdapters } from "../src/adapters";

/** uniquePrefix gives each test a key namespace of its own on the shared server. */
export function uniquePrefix(): string {
  return `lqx-test:${randomUUID().slice(0, 8)}:`;
}

/** adaptersOnTestRedis opens Redis adapters on the test server, under a fresh prefix unless one is given. */
export async function adaptersOnTestRedis(
  options: Partial<RedisAdaptersOptions> = {},
): Promise<RedisAdapters> {
  const server = await testRedis();
  return createRedisAdapters({ url: server.url, keyPrefix: uniquePrefix(), ...options });
}

/** sleep waits ms milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** eventually retries an assertion until it passes or the time runs out. */
export async function eventually(assertion: () => void | Promise<void>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(25);
    }
  }
}
