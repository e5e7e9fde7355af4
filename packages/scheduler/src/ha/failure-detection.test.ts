import { describe, expect, it } from "vitest";
import { node } from "../../test/builders";
import { classifyNodes } from "./failure-detection";

const beat = (id: string, at: string) => ({
  ...node(id),
  status: { ...node(id).status, lastHeartbeatAt: at },
});
const NOW = "2026-01-01T01:00:00.000Z";
const ago = (sec: number) => new Date(Date.parse(NOW) - sec * 1000).toISOString();

describe("classifyNodes", () => {
  it("classifies by whole intervals missed: healthy, suspect, then failed at the threshold", () => {
    const nodes = [beat("ok", ago(10)), beat("late", ago(65)), beat("dead", ago(95))];
    const result = classifyNodes({ nodes, now: NOW });
    expect(result.map((r) => [r.nodeId, r.health, r.missedHeartbeats])).toEqual([
      ["ok", "HEALTHY", 0],
      ["late", "SUSPECT", 2],
      ["dead", "FAILED", 3],
    ]);
  });

  it("treats a node whose lease is alive but heartbeats are missing as isolated, not failed", () => {
    const result = classifyNodes({ nodes: [beat("n1", ago(300))], now: NOW, liveLeases: new Set(["n1"]) });
    expect(result[0]).toMatchObject({ health: "ISOLATED", leaseAlive: true });
    expect(result[0]!.reason).toContain("management path lost");
  });

  it("fails a node whose heartbeats and lease are both gone", () => {
    const result = classifyNodes({ nodes: [beat("n1", ago(300))], now: NOW, liveLeases: new Set() });
    expect(result[0]).toMatchObject({ health: "FAILED", leaseAlive: false });
    expect(result[0]!.reason).toContain("lease expired");
  });

  it("keeps a node with on-time heartbeats healthy even when its lease is missing", () => {
    const result = classifyNodes({ nodes: [beat("n1", ago(5))], now: NOW, liveLeases: new Set() });
    expect(result[0]!.health).toBe("HEALTHY");
  });

  it("uses the latest heartbeat from the history, in any order and in either time format", () => {
    const heartbeats = new Map([["n1", [ago(200), Date.parse(ago(20)), ago(100)]]]);
    const result = classifyNodes({ nodes: [node("n1")], now: Date.parse(NOW), heartbeats });
    expect(result[0]).toMatchObject({ health: "HEALTHY", lastHeartbeatAt: Date.parse(ago(20)) });
  });

  it("times a node that never sent a heartbeat from its registration", () => {
    const result = classifyNodes({ nodes: [node("n1")], now: NOW });
    expect(result[0]).toMatchObject({ health: "FAILED", missedHeartbeats: 120, lastHeartbeatAt: undefined });
  });

  it("follows the configured interval and threshold", () => {
    const nodes = [beat("n1", ago(25))];
    expect(classifyNodes({ nodes, now: NOW })[0]!.health).toBe("HEALTHY");
    expect(
      classifyNodes({ nodes, now: NOW, settings: { checkIntervalSec: 10, failureThreshold: 3 } })[0]!.health,
    ).toBe("SUSPECT");
    expect(
      classifyNodes({ nodes, now: NOW, settings: { checkIntervalSec: 10, failureThreshold: 2 } })[0]!.health,
    ).toBe("FAILED");
  });
});
