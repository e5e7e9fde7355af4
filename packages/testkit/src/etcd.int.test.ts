import { describe, expect, it } from "vitest";
import { startPrivateEtcd, testEtcd } from "./etcd";

async function healthy(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

describe("testEtcd", () => {
  it("returns one healthy server per test process", async () => {
    const a = await testEtcd();
    const b = await testEtcd();
    expect(a).toBe(b);
    expect(await healthy(a.endpoints[0]!)).toBe(true);
  });
});

describe("startPrivateEtcd", () => {
  it("stops and restarts the server on the same endpoint", async () => {
    const server = await startPrivateEtcd();
    const endpoint = server.endpoints[0]!;
    await server.stop();
    expect(await healthy(endpoint)).toBe(false);
    await server.start();
    expect(await healthy(endpoint)).toBe(true);
    await server.stop();
  });
});
