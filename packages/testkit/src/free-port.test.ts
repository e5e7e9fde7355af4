import { describe, expect, it } from "vitest";
import { freePorts, startOnFreePorts } from "./free-port";

describe("freePorts", () => {
  it("hands out different ports in one call", async () => {
    const ports = await freePorts(20);
    expect(new Set(ports).size).toBe(20);
    expect(ports.every((p) => p > 0)).toBe(true);
  });
});

describe("startOnFreePorts", () => {
  it("starts again when the server exited while starting (a port taken meanwhile), up to the attempts", async () => {
    let calls = 0;
    const started = await startOnFreePorts(async () => {
      calls++;
      if (calls < 3) throw new Error("etcd exited during start-up: run it by hand to see why");
      return "up";
    });
    expect(started).toBe("up");
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      startOnFreePorts(async () => {
        calls++;
        throw new Error("redis-server exited during start-up: run it by hand to see why");
      }, 2),
    ).rejects.toThrow("exited during start-up");
    expect(calls).toBe(2);
  });

  it("does not start again after any other failure", async () => {
    let calls = 0;
    await expect(
      startOnFreePorts(async () => {
        calls++;
        throw new Error("initdb failed");
      }),
    ).rejects.toThrow("initdb failed");
    expect(calls).toBe(1);
  });
});
