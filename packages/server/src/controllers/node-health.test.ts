import type { NodeLiveness } from "@limiquantix/domain";
import { MemoryNodeLiveness } from "@limiquantix/repo-memory";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type MemoryServices, startMemoryServices } from "../testing/memory-services";
import { NodeHealthController } from "./node-health";

let env: MemoryServices;
beforeEach(async () => {
  env = await startMemoryServices();
});
afterEach(async () => {
  await env.close();
});

describe("NodeHealthController", () => {
  it("marks a node NOT_READY after it misses its heartbeats, and leaves a node that beats alone", async () => {
    const silent = await env.registerNode("silent", 4, 8192);
    const beating = await env.registerNode("beating", 4, 8192);
    const later = new Date(Date.now() + 5 * 60_000);
    const deps = { ...env.services.deps, clock: { now: () => later } };
    await env.services.nodeAgents.heartbeat(env.ctx, beating);
    await env.adapters.repositories.nodes.recordHeartbeat(beating, { at: later.toISOString() });
    const controller = new NodeHealthController(
      deps,
      env.services.nodes,
      { checkIntervalMs: 30_000, failureThreshold: 3 },
      pino({ level: "silent" }),
    );
    expect(await controller.sweep()).toBe(1);
    expect((await env.services.nodes.get(env.ctx, silent)).status.phase).toBe("NOT_READY");
    expect((await env.services.nodes.get(env.ctx, beating)).status.phase).toBe("READY");
  });
});

describe("NodeHealthController with a liveness record", () => {
  const window = { checkIntervalMs: 1000, failureThreshold: 3 };

  it("keeps a node READY on recent beats though its stored heartbeat is old, and marks it once they stop", async () => {
    const id = await env.registerNode("quiet-store", 4, 8192);
    const liveness = new MemoryNodeLiveness();
    let now = Date.now() + 60_000;
    const deps = { ...env.services.deps, clock: { now: () => new Date(now) } };
    const controller = new NodeHealthController(
      deps,
      env.services.nodes,
      { ...window, liveness, statusWriteIntervalMs: 30_000 },
      pino({ level: "silent" }),
    );
    await liveness.beat(id, now - 500);
    expect(await controller.sweep()).toBe(0);
    now += 4000;
    expect(await controller.sweep()).toBe(1);
    const node = await env.services.nodes.get(env.ctx, id);
    expect(node.status.phase).toBe("NOT_READY");
    expect(node.status.message).toContain(new Date(now - 4500).toISOString());
  });

  it("while the record cannot be read, waits a status write interval longer before it marks a node", async () => {
    const id = await env.registerNode("unknown", 4, 8192);
    const stored = Date.parse((await env.services.nodes.get(env.ctx, id)).status.lastHeartbeatAt!);
    let now = stored + 10_000;
    const deps = { ...env.services.deps, clock: { now: () => new Date(now) } };
    const down: NodeLiveness = {
      beat: () => Promise.reject(new Error("down")),
      lastBeats: () => Promise.reject(new Error("down")),
      forget: () => Promise.resolve(),
    };
    const controller = new NodeHealthController(
      deps,
      env.services.nodes,
      { ...window, liveness: down, statusWriteIntervalMs: 30_000 },
      pino({ level: "silent" }),
    );
    expect(await controller.sweep()).toBe(0);
    now = stored + 34_000;
    expect(await controller.sweep()).toBe(1);
    expect((await env.services.nodes.get(env.ctx, id)).status.phase).toBe("NOT_READY");
  });

  it("marks nothing until a whole window has passed since it began listening", async () => {
    const id = await env.registerNode("old-beat", 4, 8192);
    let now = Date.now() + 10 * 60_000;
    const deps = { ...env.services.deps, clock: { now: () => new Date(now) } };
    const controller = new NodeHealthController(
      deps,
      env.services.nodes,
      { ...window, liveness: new MemoryNodeLiveness(), statusWriteIntervalMs: 30_000 },
      pino({ level: "silent" }),
    );
    const stop = new AbortController();
    await controller.start(stop.signal);
    try {
      now += 2000;
      expect(await controller.sweep()).toBe(0);
      now += 1500;
      expect(await controller.sweep()).toBe(1);
      expect((await env.services.nodes.get(env.ctx, id)).status.phase).toBe("NOT_READY");
    } finally {
      stop.abort();
      await controller.stop();
    }
  });
});

describe("NodeHealthController after a stall", () => {
  it("counts every node as heard from when its check runs late, so beats still queued are not taken for silence", async () => {
    const id = await env.registerNode("queued", 4, 8192);
    let now = Date.now();
    const deps = { ...env.services.deps, clock: { now: () => new Date(now) } };
    const liveness = new MemoryNodeLiveness();
    await liveness.beat(id, now);
    const controller = new NodeHealthController(
      deps,
      env.services.nodes,
      { checkIntervalMs: 50, failureThreshold: 3, liveness, statusWriteIntervalMs: 30_000 },
      pino({ level: "silent" }),
    );
    const stop = new AbortController();
    await controller.start(stop.signal);
    try {
      // The process stalls for 5 s (the clock jumps; the timer fires once, late).
      now += 5000;
      await new Promise((r) => setTimeout(r, 120));
      await controller.stop();
      expect((await env.services.nodes.get(env.ctx, id)).status.phase).toBe("READY");
      // With no stall, the same silence marks the node.
      now += 200;
      expect(await controller.sweep()).toBe(1);
    } finally {
      stop.abort();
      await controller.stop();
    }
  });
});
