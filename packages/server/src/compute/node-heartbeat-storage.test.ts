import type { NodeLiveness } from "@limiquantix/domain";
import { ManualClock, MemoryNodeLiveness } from "@limiquantix/repo-memory";
import { afterEach, describe, expect, it } from "vitest";
import { type MemoryServices, startMemoryServices } from "../testing/memory-services";
import { NodeAgentService } from "./node-agent-service";

let env: MemoryServices | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

/** setUp starts the services on a manual clock with one node, and a NodeAgentService over `liveness`. */
async function setUp(liveness: NodeLiveness) {
  const clock = new ManualClock("2026-06-01T00:00:00.000Z");
  env = await startMemoryServices({ clock });
  const id = await env.registerNode("n1", 8, 16_384);
  const agents = new NodeAgentService(
    env.services.deps,
    env.services.nodes,
    env.services.vms,
    { agentRegistered: () => undefined, enqueue: () => undefined },
    undefined,
    { liveness, statusWriteIntervalMs: 30_000 },
  );
  const stored = () => env!.adapters.repositories.nodes.get(id);
  return { clock, id, agents, stored, ctx: env.ctx };
}

describe("heartbeats kept apart from the stored node", () => {
  it("records a beat with no change only as a beat, and stores one once the write interval has passed", async () => {
    const liveness = new MemoryNodeLiveness();
    const { clock, id, agents, stored, ctx } = await setUp(liveness);
    const usage = { cpuPercent: 10, memoryUsedMib: 4096 };
    await agents.heartbeat(ctx, id, { usage });
    const first = await stored();
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      await agents.heartbeat(ctx, id, { usage: { cpuPercent: 11, memoryUsedMib: 4100 } });
    }
    const after = await stored();
    expect(after.resourceVersion).toBe(first.resourceVersion);
    expect(after.status.lastHeartbeatAt).toBe(first.status.lastHeartbeatAt);
    expect((await liveness.lastBeats()).get(id)).toBe(clock.now().getTime());

    clock.advance(25_000);
    await agents.heartbeat(ctx, id, { usage });
    const late = await stored();
    expect(late.resourceVersion).not.toBe(first.resourceVersion);
    expect(late.status.lastHeartbeatAt).toBe(clock.now().toISOString());
  });

  it("stores a beat at once when the usage or the agent version changed", async () => {
    const { clock, id, agents, stored, ctx } = await setUp(new MemoryNodeLiveness());
    await agents.heartbeat(ctx, id, {
      usage: { cpuPercent: 10, memoryUsedMib: 4096 },
      agentVersion: "1.0.0",
    });
    clock.advance(1000);
    await agents.heartbeat(ctx, id, {
      usage: { cpuPercent: 40, memoryUsedMib: 4096 },
      agentVersion: "1.0.0",
    });
    expect((await stored()).status.usage?.cpuPercent).toBe(40);
    clock.advance(1000);
    await agents.heartbeat(ctx, id, {
      usage: { cpuPercent: 40, memoryUsedMib: 9000 },
      agentVersion: "1.0.0",
    });
    expect((await stored()).status.usage?.memoryUsedMib).toBe(9000);
    clock.advance(1000);
    await agents.heartbeat(ctx, id, {
      usage: { cpuPercent: 40, memoryUsedMib: 9000 },
      agentVersion: "1.1.0",
    });
    expect((await stored()).status.agentVersion).toBe("1.1.0");
  });

  it("brings a NOT_READY node back to READY on its first beat", async () => {
    const { clock, id, agents, stored, ctx } = await setUp(new MemoryNodeLiveness());
    await env!.services.nodes.setPhase(ctx, id, "NOT_READY", "no heartbeat");
    clock.advance(1000);
    const node = await agents.heartbeat(ctx, id, {});
    expect(node.status.phase).toBe("READY");
    expect((await stored()).status.phase).toBe("READY");
    expect((await stored()).status.lastHeartbeatAt).toBe(clock.now().toISOString());
  });

  it("stores every beat while the liveness record refuses them, so none is lost", async () => {
    const broken: NodeLiveness = {
      beat: () => Promise.reject(new Error("liveness record down")),
      lastBeats: () => Promise.reject(new Error("liveness record down")),
      forget: () => Promise.resolve(),
    };
    const { clock, id, agents, stored, ctx } = await setUp(broken);
    await agents.heartbeat(ctx, id, {});
    clock.advance(1000);
    await agents.heartbeat(ctx, id, {});
    expect((await stored()).status.lastHeartbeatAt).toBe(clock.now().toISOString());
  });

  it("refuses the heartbeat of a node that does not exist, and records no beat for it", async () => {
    const liveness = new MemoryNodeLiveness();
    const { agents, ctx } = await setUp(liveness);
    await expect(agents.heartbeat(ctx, "no-such-node", {})).rejects.toMatchObject({ code: "NotFound" });
    expect((await liveness.lastBeats()).has("no-such-node")).toBe(false);
  });
});
