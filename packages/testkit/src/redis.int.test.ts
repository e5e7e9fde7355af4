import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
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

describe("private servers", () => {
  it("die with their test process even when it is killed with SIGKILL", async () => {
    const script = fileURLToPath(new URL("../test/start-redis-child.ts", import.meta.url));
    const child = spawn(process.execPath, ["--conditions=limiquantix-source", "--import", "tsx", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.once("data", (d: Buffer) => resolve(d.toString("utf8").trim()));
      child.once("exit", () => reject(new Error("child exited before starting Redis")));
    });
    const port = portOf(url);
    expect(await pingRedis(port)).toBe(true);
    child.kill("SIGKILL");
    const deadline = Date.now() + 10_000;
    while ((await pingRedis(port)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await pingRedis(port)).toBe(false);
  });
});
