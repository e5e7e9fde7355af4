import type { Alert } from "@limiquantix/domain";
import { ManualClock } from "@limiquantix/repo-memory";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CORE } from "../composition/core-module";
import { systemContext } from "../context/call-context";
import type { EventLog } from "../events/event-log";
import { allItems } from "../shared/each-item";
import type { ServiceDeps } from "../shared/service-deps";
import { type MemoryServices, startMemoryServices } from "../testing/memory-services";
import { AlertController } from "./alert-controller";
import { AlertRuleService } from "./alert-rule-service";
import { AlertService } from "./alert-service";

const silent = pino({ level: "silent" });
let env: MemoryServices;
let clock: ManualClock;
let deps: ServiceDeps;
let alerts: AlertService;
let rules: AlertRuleService;

beforeEach(async () => {
  env = await startMemoryServices();
  clock = new ManualClock();
  deps = { ...env.services.deps, clock };
  alerts = new AlertService(deps);
  rules = new AlertRuleService(deps);
});
afterEach(async () => {
  await env.close();
});

/** newController is a controller as a newly elected leader has one: nothing remembered yet. */
const newController = () => new AlertController(deps, alerts, rules, { intervalMs: 15_000 }, silent);
/** followingController evaluates when the relay brings news (its interval is an hour). */
const followingController = () =>
  new AlertController(deps, alerts, rules, { intervalMs: 3_600_000, changes: env.services.relay }, silent);

/** report stores a heartbeat of the node with this CPU use (and 2 GiB of its 8 GiB of memory in use). */
async function report(nodeId: string, cpuPercent: number): Promise<void> {
  await env.adapters.repositories.nodes.recordHeartbeat(nodeId, {
    at: clock.now().toISOString(),
    usage: { cpuPercent, memoryUsedMib: 2048 },
  });
}

async function alertsOf(ruleId: string): Promise<Alert[]> {
  return (await allItems(env.adapters.repositories.alerts, {})).filter((a) => a.ruleId === ruleId);
}

describe("AlertController", () => {
  it("creates the built-in rules on its first pass, once", async () => {
    await newController().evaluate();
    await newController().evaluate();
    const names = (await allItems(env.adapters.repositories.alertRules, {})).map((r) => r.name).sort();
    expect(names).toEqual([
      "node-cpu-critical",
      "node-cpu-warning",
      "node-failed",
      "node-memory-warning",
      "node-not-ready",
      "pool-free-space-low",
    ]);
  });

  it("fires one critical alert for a node above 95 % CPU for a minute, not two on later passes, and resolves it once CPU has stayed down a minute", async () => {
    const node = await env.registerNode("hot", 8, 8192);
    const c = newController();
    await report(node, 97);
    expect((await c.evaluate()).fired).toEqual([]);
    clock.advance(30_000);
    expect((await c.evaluate()).fired).toEqual([]);
    clock.advance(30_000);
    const due = await c.evaluate();
    expect(due.fired).toHaveLength(1);
    expect(due.fired[0]).toMatchObject({
      severity: "CRITICAL",
      state: "OPEN",
      ruleId: "builtin-node-cpu-critical",
      source: { kind: "Node", id: node, name: "hot" },
      title: "node hot: CPU 97% > 95%",
    });
    for (let i = 0; i < 3; i++) {
      clock.advance(15_000);
      expect((await c.evaluate()).fired).toEqual([]);
    }
    expect(await alertsOf("builtin-node-cpu-critical")).toHaveLength(1);

    await report(node, 10);
    clock.advance(15_000);
    expect((await c.evaluate()).resolved).toEqual([]);
    clock.advance(45_000);
    expect((await c.evaluate()).resolved).toEqual([]);
    clock.advance(15_000);
    const cleared = await c.evaluate();
    expect(cleared.resolved.map((a) => a.id)).toEqual([due.fired[0]!.id]);
    expect(cleared.resolved[0]).toMatchObject({
      state: "RESOLVED",
      resolved: { by: "alert-evaluation", at: clock.now().toISOString() },
    });
    expect(cleared.resolved[0]!.resolved!.comment).toMatch(/^cleared: node.cpu.percent is 10/);
    // The warning rule (above 80 % for five minutes) never held long enough.
    expect(await alertsOf("builtin-node-cpu-warning")).toEqual([]);
  });

  it("does not duplicate a firing alert when a new leader takes over, and the new leader resolves it", async () => {
    const node = await env.registerNode("hot", 8, 8192);
    await report(node, 99);
    const oldLeader = newController();
    await oldLeader.evaluate();
    clock.advance(60_000);
    expect((await oldLeader.evaluate()).fired).toHaveLength(1);

    const newLeader = newController();
    clock.advance(15_000);
    expect((await newLeader.evaluate()).fired).toEqual([]);
    clock.advance(120_000);
    expect((await newLeader.evaluate()).fired).toEqual([]);
    expect(await alertsOf("builtin-node-cpu-critical")).toHaveLength(1);

    await report(node, 20);
    await newLeader.evaluate();
    clock.advance(60_000);
    expect((await newLeader.evaluate()).resolved).toHaveLength(1);
  });

  it("creates one alert when two leaders' passes overlap on the same condition", async () => {
    const node = await env.registerNode("hot", 8, 8192);
    await report(node, 99);
    const a = newController();
    const b = newController();
    await Promise.all([a.evaluate(), b.evaluate()]);
    clock.advance(60_000);
    const [ra, rb] = await Promise.all([a.evaluate(), b.evaluate()]);
    expect(ra.fired.length + rb.fired.length).toBe(1);
    expect(await alertsOf("builtin-node-cpu-critical")).toHaveLength(1);
  });

  it("holds a condition that comes back within the rule's cooldown until the cooldown has passed", async () => {
    const node = await env.registerNode("hot", 8, 8192);
    const rule = await rules.createRule(env.ctx, {
      name: "cpu-over-50",
      labels: {},
      spec: {
        metric: "node.cpu.percent",
        operator: "gt",
        threshold: 50,
        forSec: 0,
        severity: "INFO",
        cooldownSec: 300,
      },
    });
    const c = newController();
    await report(node, 60);
    const [first] = (await c.evaluate()).fired.filter((a) => a.ruleId === rule.id);
    expect(first).toBeDefined();
    clock.advance(10_000);
    await alerts.resolve(systemContext("test"), first!.id, "looked into it");
    clock.advance(10_000);
    const held = await c.evaluate();
    expect(held.fired.filter((a) => a.ruleId === rule.id)).toEqual([]);
    expect(held.coolingDown).toHaveLength(1);
    clock.advance(290_000);
    const again = (await c.evaluate()).fired.filter((a) => a.ruleId === rule.id);
    expect(again).toHaveLength(1);
    expect(again[0]!.id).not.toBe(first!.id);
    expect(again[0]!.fingerprint).toBe(first!.fingerprint);
  });

  it("raises an alert when a node becomes NOT_READY and resolves it when the node is READY again", async () => {
    const node = await env.registerNode("quiet", 4, 8192);
    const c = newController();
    await c.evaluate();
    await env.services.nodes.setPhase(env.ctx, node, "NOT_READY", "no heartbeat");
    const down = await c.evaluate();
    expect(down.fired).toHaveLength(1);
    expect(down.fired[0]).toMatchObject({
      severity: "WARNING",
      ruleId: "builtin-node-not-ready",
      title: "node quiet is not ready",
    });
    await env.services.nodes.setPhase(env.ctx, node, "READY");
    const up = await c.evaluate();
    expect(up.resolved.map((a) => a.id)).toEqual([down.fired[0]!.id]);
  });

  it("warns when a storage pool has less than 10 % free for a minute", async () => {
    const pool = await env.services.pools.create(env.ctx, {
      name: "nfs",
      labels: {},
      spec: { type: "NFS", capacityGib: 100 },
    });
    await env.adapters.repositories.storagePools.update({
      ...pool,
      status: { ...pool.status, usedGib: 95 },
    });
    const c = newController();
    await c.evaluate();
    clock.advance(60_000);
    const fired = (await c.evaluate()).fired;
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({
      severity: "WARNING",
      ruleId: "builtin-pool-free-space-low",
      source: { kind: "StoragePool", id: pool.id },
      title: "storage pool nfs: free space 5% < 10%",
    });
  });

  it("resolves the alerts of a rule that is disabled", async () => {
    const node = await env.registerNode("quiet", 4, 8192);
    const c = newController();
    await env.services.nodes.setPhase(env.ctx, node, "NOT_READY");
    expect((await c.evaluate()).fired).toHaveLength(1);
    await rules.updateRule(env.ctx, "builtin-node-not-ready", (r) => ({
      ...r,
      spec: { ...r.spec, enabled: false },
    }));
    const after = await c.evaluate();
    expect(after.resolved).toHaveLength(1);
    expect(after.resolved[0]!.resolved!.comment).toBe("rule node-not-ready was disabled");
  });

  it("tells fired and resolved alerts in the event stream", async () => {
    const node = await env.registerNode("quiet", 4, 8192);
    const c = newController();
    await env.services.nodes.setPhase(env.ctx, node, "NOT_READY");
    await c.evaluate();
    await env.services.nodes.setPhase(env.ctx, node, "READY");
    await c.evaluate();
    await env.services.relay.caughtUp();
    const events = await env.plane.container
      .get<EventLog>(CORE.eventLog)
      .list(env.ctx, { kinds: ["Alert"] }, { limit: 10 });
    expect(events.items.map((e) => [e.reason, e.severity])).toEqual([
      ["AlertResolved", "INFO"],
      ["AlertFired", "WARNING"],
    ]);
  });

  it("on the leader, a change to a node that keeps the phase its last pass read starts no pass", async () => {
    const node = await env.registerNode("busy", 4, 8192);
    const c = followingController();
    const passes = vi.spyOn(c, "evaluate");
    const leading = new AbortController();
    await c.start(leading.signal);
    try {
      await vi.waitFor(() => expect(passes).toHaveBeenCalledTimes(1));
      await passes.mock.results[0]?.value;
      // Placements and heartbeats write the node without changing its phase.
      for (let i = 0; i < 3; i++) {
        const current = await deps.repos.nodes.get(node);
        await deps.repos.nodes.updateStatus(
          node,
          { ...current.status, allocated: { ...current.status.allocated, vcpus: i + 1 } },
          current.resourceVersion,
        );
      }
      await env.services.relay.caughtUp();
      await new Promise((r) => setTimeout(r, 50));
      expect(passes).toHaveBeenCalledTimes(1);
      await env.services.nodes.setPhase(env.ctx, node, "NOT_READY");
      await vi.waitFor(() => expect(passes).toHaveBeenCalledTimes(2), { timeout: 5000 });
    } finally {
      leading.abort();
      await c.stop();
    }
  });

  it("on the leader, evaluates at once when a node's phase changes", async () => {
    const node = await env.registerNode("quiet", 4, 8192);
    const c = followingController();
    const leading = new AbortController();
    await c.start(leading.signal);
    try {
      await env.services.nodes.setPhase(env.ctx, node, "NOT_READY");
      await vi.waitFor(async () => expect(await alertsOf("builtin-node-not-ready")).toHaveLength(1), {
        timeout: 5000,
      });
    } finally {
      leading.abort();
      await c.stop();
    }
  });
});
