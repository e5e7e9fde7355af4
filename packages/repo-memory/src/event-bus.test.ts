import { hasErrorCode, type NodeMetricsEvent } from "@limiquantix/domain";
import { eventually } from "@limiquantix/domain/conformance";
import { describe, expect, it } from "vitest";
import { MemoryEventBus, MemoryEventHub } from "./event-bus";

const metrics = (id: string): NodeMetricsEvent => ({
  id,
  type: "METRICS",
  nodeId: "n1",
  occurredAt: "2026-01-01T00:00:00.000Z",
  cpuPercent: 1,
  memoryUsedMib: 1,
});

describe("MemoryEventBus", () => {
  it("reports a failing handler to onError with its topic and event, and keeps delivering", async () => {
    const errors: { error: unknown; topic: string; event: unknown }[] = [];
    const bus = new MemoryEventBus({ onError: (error, ctx) => errors.push({ error, ...ctx }) });
    const seen: string[] = [];
    await bus.subscribe("node-metrics", (e) => {
      seen.push(e.id);
      if (e.id === "e1") throw new Error("boom");
    });
    await bus.publish("node-metrics", metrics("e1"));
    await bus.publish("node-metrics", metrics("e2"));
    await eventually(() => expect(seen).toEqual(["e1", "e2"]));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.topic).toBe("node-metrics");
    expect((errors[0]!.event as NodeMetricsEvent).id).toBe("e1");
  });

  it("an onError hook that throws does not stop delivery", async () => {
    const bus = new MemoryEventBus({
      onError: () => {
        throw new Error("hook failed");
      },
    });
    const seen: string[] = [];
    await bus.subscribe("node-metrics", (e) => {
      seen.push(e.id);
      throw new Error("handler failed");
    });
    await bus.publish("node-metrics", metrics("a"));
    await bus.publish("node-metrics", metrics("b"));
    await eventually(() => expect(seen).toEqual(["a", "b"]));
  });

  it("publish and subscribe on a closed bus fail with Unavailable; events that JSON cannot carry are refused", async () => {
    const bus = new MemoryEventBus();
    await expect(
      bus.publish("node-metrics", { ...metrics("x"), cpuPercent: 10n } as unknown as NodeMetricsEvent),
    ).rejects.toSatisfy((e: unknown) => hasErrorCode(e, "InvalidArgument"));
    await bus.close();
    await expect(bus.publish("node-metrics", metrics("x"))).rejects.toSatisfy((e: unknown) =>
      hasErrorCode(e, "Unavailable"),
    );
    await expect(bus.subscribe("node-metrics", () => {})).rejects.toSatisfy((e: unknown) =>
      hasErrorCode(e, "Unavailable"),
    );
  });

  it("unsubscribe and close remove subscriptions from the shared hub", async () => {
    const hub = new MemoryEventHub();
    const a = new MemoryEventBus({ hub });
    const b = new MemoryEventBus({ hub });
    const sub = await a.subscribe("node-metrics", () => {});
    await b.subscribe("node-metrics", () => {});
    expect(hub.subscriberCount("node-metrics")).toBe(2);
    await sub.unsubscribe();
    expect(hub.subscriberCount("node-metrics")).toBe(1);
    await b.close();
    expect(hub.subscriberCount("node-metrics")).toBe(0);
  });

  it("each subscriber gets its own copy of an event", async () => {
    const bus = new MemoryEventBus();
    const got: NodeMetricsEvent[] = [];
    await bus.subscribe("node-metrics", (e) => {
      (e as { cpuPercent: number }).cpuPercent = 99;
      got.push(e);
    });
    await bus.subscribe("node-metrics", (e) => {
      got.push(e);
    });
    const sent = metrics("c");
    await bus.publish("node-metrics", sent);
    await eventually(() => expect(got).toHaveLength(2));
    expect(got.map((e) => e.cpuPercent).sort()).toEqual([1, 99]);
    expect(sent.cpuPercent).toBe(1);
  });
});
