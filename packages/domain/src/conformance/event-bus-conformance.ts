import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { VirtualMachine } from "../entities/virtual-machine";
import type { EventBus, NodeMetricsEvent, TopicMap } from "../ports/event-bus";
import { fixtures, uniqueSuffix } from "./fixtures";
import { deferred, eventually, sleep } from "./support";

/** EventBusHarness is what an event-bus adapter hands the event-bus conformance suite. */
export interface EventBusHarness {
  /** two buses on the same backend (two "replicas"; may be the same instance for in-process) */
  readonly buses: readonly [EventBus, EventBus];
  close(): Promise<void>;
}

/**
 * runEventBusConformance registers the event-bus conformance suite: delivery across buses,
 * order per topic and per subscriber, one-at-a-time handlers, isolation of failing or slow
 * subscribers, unsubscribe and close. Tests only count events carrying their own id prefix, so
 * a harness may share one server between tests. Where a test checks that something did NOT
 * arrive, it first waits for a later event to arrive on the same path, never for a fixed time.
 */
export function runEventBusConformance(adapter: string, makeHarness: () => Promise<EventBusHarness>): void {
  describe(`EventBus conformance: ${adapter}`, () => {
    let h: EventBusHarness | undefined;
    let run = "";
    let n = 0;
    beforeEach(async () => {
      h = await makeHarness();
      run = `ev-${uniqueSuffix()}`;
    });
    afterEach(async () => {
      const current = h;
      h = undefined;
      await current?.close();
    });
    const bus = (i: 0 | 1): EventBus => h!.buses[i];
    const at = "2026-01-01T00:00:00.000Z";
    const nextId = () => `${run}-${String(++n).padStart(5, "0")}`;
    const event = (nodeId = "node-1"): NodeMetricsEvent => ({
      id: nextId(),
      type: "METRICS",
      nodeId,
      occurredAt: at,
      cpuPercent: 12.5,
      memoryUsedMib: 2048,
    });
    const vmEvent = (): TopicMap["vms"] => ({
      id: nextId(),
      type: "ADDED",
      kind: "VirtualMachine",
      occurredAt: at,
      object: VirtualMachine.parse({
        ...fixtures.vm({ projectId: "prj-1" }),
        resourceVersion: 1,
        createdAt: at,
        updatedAt: at,
      }),
    });
    /** collector subscribes and keeps the test's own events, in arrival order. */
    const collector = async (i: 0 | 1, topic: "node-metrics" = "node-metrics") => {
      const got: NodeMetricsEvent[] = [];
      const sub = await bus(i).subscribe(topic, (e) => {
        if (e.id.startsWith(run)) got.push(e);
      });
      return { got, sub, ids: () => got.map((e) => e.id) };
    };

    it("a subscriber on one bus receives what another bus publishes, as a JSON round trip", async () => {
      const c = await collector(1);
      const e = event();
      await bus(0).publish("node-metrics", e);
      await eventually(() => expect(c.got).toHaveLength(1));
      expect(c.got[0]).toEqual(JSON.parse(JSON.stringify(e)));
    });

    it("a subscriber receives what its own bus publishes", async () => {
      const c = await collector(0);
      const e = event();
      await bus(0).publish("node-metrics", e);
      await eventually(() => expect(c.ids()).toEqual([e.id]));
    });

    it("delivers the events of a topic in publication order", async () => {
      const c = await collector(1);
      const sent: string[] = [];
      for (let i = 0; i < 100; i++) {
        const e = event();
        sent.push(e.id);
        await bus(0).publish("node-metrics", e);
      }
      await eventually(() => expect(c.got).toHaveLength(100));
      expect(c.ids()).toEqual(sent);
    });

    it("keeps the order of publishes issued without waiting for each", async () => {
      const c = await collector(1);
      const events = Array.from({ length: 50 }, () => event());
      await Promise.all(events.map((e) => bus(0).publish("node-metrics", e)));
      await eventually(() => expect(c.got).toHaveLength(50));
      expect(c.ids()).toEqual(events.map((e) => e.id));
    });

    it("every subscriber of the topic, on either bus, receives every event", async () => {
      const a = await collector(0);
      const b = await collector(1);
      const c = await collector(1);
      const events = [event(), event(), event()];
      for (const e of events) await bus(0).publish("node-metrics", e);
      await eventually(() => {
        for (const x of [a, b, c]) expect(x.ids()).toEqual(events.map((e) => e.id));
      });
    });

    it("topics are separate: a subscriber hears only its topic", async () => {
      const metrics = await collector(1);
      const vms: string[] = [];
      await bus(1).subscribe("vms", (e) => {
        if (e.id.startsWith(run)) vms.push(e.id);
      });
      const e = event();
      await bus(0).publish("node-metrics", e);
      const marker = vmEvent();
      await bus(0).publish("vms", marker);
      // Barriers: the same bus delivered e to its own topic, and a later event to this subscriber.
      await eventually(() => expect(metrics.ids()).toEqual([e.id]));
      await eventually(() => expect(vms).toContain(marker.id));
      expect(vms).toEqual([marker.id]);
    });

    it("a subscriber's handler gets one event at a time, even when it is async", async () => {
      let active = 0;
      let maxActive = 0;
      const seen: string[] = [];
      await bus(1).subscribe("node-metrics", async (e) => {
        if (!e.id.startsWith(run)) return;
        active++;
        maxActive = Math.max(maxActive, active);
        await sleep(2);
        seen.push(e.id);
        active--;
      });
      const events = Array.from({ length: 10 }, () => event());
      for (const e of events) await bus(0).publish("node-metrics", e);
      await eventually(() => expect(seen).toHaveLength(10));
      expect(maxActive).toBe(1);
      expect(seen).toEqual(events.map((e) => e.id));
    });

    it("publish resolves without waiting for handlers, and a slow subscriber does not hold back another", async () => {
      const gate = deferred();
      const slow: string[] = [];
      await bus(1).subscribe("node-metrics", async (e) => {
        if (!e.id.startsWith(run)) return;
        await gate.promise;
        slow.push(e.id);
      });
      const fast = await collector(1);
      const events = [event(), event(), event()];
      for (const e of events) await bus(0).publish("node-metrics", e);
      await eventually(() => expect(fast.ids()).toEqual(events.map((e) => e.id)));
      expect(slow).toEqual([]);
      gate.resolve();
      await eventually(() => expect(slow).toEqual(events.map((e) => e.id)));
    });

    it("a handler that throws or rejects stops neither other subscribers nor its own later events", async () => {
      const thrower: string[] = [];
      await bus(1).subscribe("node-metrics", (e) => {
        if (!e.id.startsWith(run)) return;
        thrower.push(e.id);
        if (thrower.length === 1) throw new Error("handler failed (expected by the test)");
      });
      const rejecter: string[] = [];
      await bus(0).subscribe("node-metrics", async (e) => {
        if (!e.id.startsWith(run)) return;
        rejecter.push(e.id);
        if (rejecter.length === 2) throw new Error("handler rejected (expected by the test)");
      });
      const healthy = await collector(1);
      const events = [event(), event(), event()];
      for (const e of events) await bus(0).publish("node-metrics", e);
      const want = events.map((e) => e.id);
      await eventually(() => {
        expect(healthy.ids()).toEqual(want);
        expect(thrower).toEqual(want);
        expect(rejecter).toEqual(want);
      });
    });

    it("unsubscribe stops delivery to that subscription only; unsubscribing twice is safe", async () => {
      const gone = await collector(1);
      const kept = await collector(1);
      const first = event();
      await bus(0).publish("node-metrics", first);
      await eventually(() => expect(gone.ids()).toEqual([first.id]));
      await gone.sub.unsubscribe();
      await gone.sub.unsubscribe();
      const second = event();
      const marker = event();
      await bus(0).publish("node-metrics", second);
      await bus(0).publish("node-metrics", marker);
      // Barrier: a subscriber of the same topic on the same bus got a later event.
      await eventually(() => expect(kept.ids()).toEqual([first.id, second.id, marker.id]));
      expect(gone.ids()).toEqual([first.id]);
    });

    it("events published before a subscription are not delivered to it", async () => {
      const early = event();
      await bus(0).publish("node-metrics", early);
      await sleep(20);
      const c = await collector(1);
      const late = event();
      await bus(0).publish("node-metrics", late);
      await eventually(() => expect(c.ids()).toContain(late.id));
      expect(c.ids()).toEqual([late.id]);
    });

    it("closing a bus stops delivery to its subscribers; the other bus carries on", async (ctx) => {
      if (h!.buses[0] === h!.buses[1])
        ctx.skip(
          "the harness's two buses are one instance, so one cannot be closed while the other carries on",
        );
      const closed = await collector(1);
      const open = await collector(0);
      await bus(1).close();
      const e = event();
      const marker = event();
      await bus(0).publish("node-metrics", e);
      await bus(0).publish("node-metrics", marker);
      // Barrier: the open bus got an event published after e.
      await eventually(() => expect(open.ids()).toEqual([e.id, marker.id]));
      expect(closed.got).toEqual([]);
    });
  });
}
