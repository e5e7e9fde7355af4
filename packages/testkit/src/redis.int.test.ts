import { describe, expect, it } from "vitest";
import { pingRedis, startPrivateRedis, testRedis } from "./redis";

function portOf(url: string): number {
  return Number(new URL(url).port);
}

describe("testRedis", () => {
  it("returns one server per test process that answers PING", async () => {
    const a = await testRedis();
    const b = await testRedis();
    expect(a).toBe(b);
    expect(await pingRedis(portOf(a.url))).toBe(true);
  });
});

describe("startPrivateRedis", () => {
  it("stops and restarts the server on the same port", async () => {
    const server = await startPrivateRedis();
    const port = portOf(server.url);
    await server.stop();
    expect(await pingRedis(port)).toBe(false);
    await server.start();
    expect(await pingRedis(port)).toBe(true);
    await server.stop();
  });

  it("fails with a clear message when the binary is missing", async () => {
    await expect(startPrivateRedis("/nonexistent/redis-server")).rejects.toThrow(/exited during start-up/);
  });
});
