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
