import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type NodeMetricsEvent, type TopicMap, VirtualMachine } from "@limiquantix/domain";
import { fixtures } from "@limiquantix/domain/conformance";
import { testRedis } from "@limiquantix/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adaptersOnTestRedis, eventually, sleep, uniquePrefix } from "../test/support";
import type { RedisAdapters } from "./adapters";

const run = promisify(execFile);

function metric(i: number): NodeMetricsEvent {
  return {
    id: `m${i}`,
    type: "METRICS",
    nodeId: "n1",
    occurredAt: new Date(0).toISOString(),
    cpuPercent: i,
    memoryUsedMib: 1,
  };
}

function vmAdded(id: string): TopicMap["vms"] {
  const at = new Date(0).toISOString();
  return {
    id,
    type: "ADDED",
    kind: "VirtualMachine",
    occurredAt: at,
    object: VirtualMachine.parse({
      ...fixtures.vm({ projectId: "p1" }),
      resourceVersion: 1,
      createdAt: at,
      updatedAt: at,
    }),
  };
}

let prefix: string;
let a: RedisAdapters;
let b: RedisAdapters;
beforeAll(async () => {
  prefix = uniquePrefix();
  a = await adaptersOnTestRedis({ keyPrefix: prefix });
  b = await adaptersOnTestRedis({ keyPrefix: prefix });
});
afterAll(async () => {
  await a.close();
  await b.close();
});

describe("RedisEventBus", () => {
  it("delivers what one replica publishes to a subscriber on another, in order", async () => {
    const seen: number[] = [];
    const sub = await b.eventBus.subscribe("node-metrics", (e) => {
      seen.push(e.cpuPercent);
    });
    for (let i = 0; i < 50; i++) await a.eventBus.publish("node-metrics", metric(i));
    await eventually(() => expect(seen).toHaveLength(50));
    expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i));
    await sub.unsubscribe();
  });

  it("hands events to a slow handler one at a time, in order", async () => {
    const seen: number[] = [];
    let running = 0;
    let overlapped = false;
    const sub = await b.eventBus.subscribe("node-metrics", async (e) => {
      running++;
      if (running > 1) overlapped = true;
      await sleep(e.cpuPercent % 2 === 0 ? 15 : 1);
      seen.push(e.cpuPercent);
      running--;
    });
    await Promise.all(Array.from({ length: 10 }, (_, i) => a.eventBus.publish("node-metrics", metric(i))));
    await eventually(() => expect(seen).toHaveLength(10));
    expect(seen).toEqual([...seen].sort((x, y) => x - y));
    expect(overlapped).toBe(false);
    await sub.unsubscribe();
  });

  it("keeps delivering to others when a handler throws, and reports the error", async () => {
    const errors: unknown[] = [];
    const bus = await adaptersOnTestRedis({ keyPrefix: prefix, onError: (err) => errors.push(err) });
    const seen: string[] = [];
    const bad = await bus.eventBus.subscribe("node-metrics", () => {
      throw new Error("handler bug");
    });
    const good = await bus.eventBus.subscribe("node-metrics", (e) => {
      seen.push(e.id);
    });
    await a.eventBus.publish("node-metrics", metric(1));
    await a.eventBus.publish("node-metrics", metric(2));
    await eventually(() => expect(seen).toEqual(["m1", "m2"]));
    expect(errors).toHaveLength(2);
    await bad.unsubscribe();
    await good.unsubscribe();
    await bus.close();
  });

  it("stops delivery after unsubscribe and keeps other topics apart", async () => {
    const metrics: string[] = [];
    const vms: string[] = [];
    const m = await b.eventBus.subscribe("node-metrics", (e) => {
      metrics.push(e.id);
    });
    const v = await b.eventBus.subscribe("vms", (e) => {
      vms.push(e.id);
    });
    await a.eventBus.publish("node-metrics", metric(1));
    await eventually(() => expect(metrics).toEqual(["m1"]));
    await m.unsubscribe();
    await m.unsubscribe();
    await a.eventBus.publish("node-metrics", metric(2));
    await a.eventBus.publish("vms", vmAdded("vm-marker"));
    // Barrier: one connection carries both topics to b, in publication order, so m2 would
    // have come before the marker.
    await eventually(() => expect(vms).toEqual(["vm-marker"]));
    expect(metrics).toEqual(["m1"]);
    await v.unsubscribe();
  });

  it("receives events published by another process", async () => {
    const seen: number[] = [];
    const sub = await b.eventBus.subscribe("node-metrics", (e) => {
      seen.push(e.cpuPercent);
    });
    const server = await testRedis();
    const child = fileURLToPath(new URL("../test/publish-child.ts", import.meta.url));
    await run(
      process.execPath,
      ["--conditions=limiquantix-source", "--import", "tsx", child, server.url, prefix, "5"],
      {
        timeout: 30_000,
      },
    );
    await eventually(() => expect(seen).toEqual([0, 1, 2, 3, 4]));
    await sub.unsubscribe();
  });

  it("refuses to publish or subscribe once closed", async () => {
    const bus = await adaptersOnTestRedis({ keyPrefix: prefix });
    await bus.close();
    await expect(bus.eventBus.publish("node-metrics", metric(1))).rejects.toThrow(/event bus is closed/);
    await expect(bus.eventBus.subscribe("vms", () => {})).rejects.toThrow(/event bus is closed/);
  });
});
