import type { MemoryAgentPool } from "@limiquantix/repo-memory";
import { ManualClock } from "@limiquantix/repo-memory";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ServiceDeps } from "../shared/service-deps";
import { type MemoryServices, startMemoryServices } from "../testing/memory-services";
import { AlertController } from "./alert-controller";
import { AlertRuleService } from "./alert-rule-service";
import { AlertService } from "./alert-service";
import { AgentVmUsage, type VmUsageSource } from "./vm-usage-reader";

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

const controller = (vmUsage: VmUsageSource = new AgentVmUsage(env.services.agents, silent)) =>
  new AlertController(deps, alerts, rules, { intervalMs: 15_000, vmUsage }, silent);
const host = (nodeId: string) => (env.adapters.agentPool as MemoryAgentPool).host(nodeId);

async function runningVm(name: string, projectId = env.projectId): Promise<string> {
  const created = await env.services.vms.create(env.ctx, {
    projectId,
    name,
    spec: { cpu: { vcpus: 2 }, memory: { sizeMib: 2048 } },
  });
  await env.services.power.start(env.ctx, created.id);
  const end = Date.now() + 5000;
  while (
    (await env.services.vms.get(env.ctx, created.id)).status.powerState !== "RUNNING" &&
    Date.now() < end
  )
    await new Promise((r) => setTimeout(r, 20));
  return created.id;
}

describe("alert rules on VM metrics", () => {
  it("fires one alert per VM whose agent reports CPU above the rule for its for-duration, listed under the VM's project, and resolves it", async () => {
    const node = await env.registerNode("n1", 8, 32768);
    const other = await env.services.projects.create(env.ctx, { name: "other" });
    const web = await runningVm("web");
    const db = await runningVm("db", other.id);
    const calm = await runningVm("calm");
    const rule = await rules.createRule(env.ctx, {
      name: "vm-cpu-high",
      spec: { metric: "vm.cpu.percent", operator: "gt", threshold: 90, forSec: 60, severity: "WARNING" },
    });
    host(node).setVmUsage(web, { cpuPercent: 97, memoryUsedMib: 1024 });
    host(node).setVmUsage(db, { cpuPercent: 99.5, memoryUsedMib: 512 });
    const c = controller();

    expect((await c.evaluate()).fired).toEqual([]);
    clock.advance(60_000);
    const due = await c.evaluate();
    const mine = due.fired.filter((a) => a.ruleId === rule.id);
    expect(mine.map((a) => [a.source.id, a.projectId, a.title]).sort()).toEqual(
      [
        [db, other.id, "VM db: CPU 99.5% > 90%"],
        [web, env.projectId, "VM web: CPU 97% > 90%"],
      ].sort(),
    );
    expect(mine.every((a) => a.source.kind === "VirtualMachine" && a.severity === "WARNING")).toBe(true);
    clock.advance(15_000);
    expect((await c.evaluate()).fired).toEqual([]);

    // ListAlerts narrowed to a project shows that project's VMs' alerts only.
    const listed = await alerts.list(env.ctx, { projectId: other.id });
    expect(listed.items.map((a) => a.source.id)).toEqual([db]);
    expect((await alerts.list(env.ctx, { projectId: env.projectId })).items.map((a) => a.source.id)).toEqual([
      web,
    ]);
    expect(calm).toBeTruthy();

    // web calms down: resolved after a minute clear; db is stopped: resolved at once.
    host(node).setVmUsage(web, { cpuPercent: 12 });
    await env.services.power.stop(env.ctx, db, "force");
    const end = Date.now() + 5000;
    while ((await env.services.vms.get(env.ctx, db)).status.powerState !== "STOPPED" && Date.now() < end)
      await new Promise((r) => setTimeout(r, 20));
    clock.advance(15_000);
    const first = await c.evaluate();
    expect(first.resolved.map((a) => [a.source.id, a.resolved?.comment])).toEqual([
      [db, "VirtualMachine db is stopped"],
    ]);
    clock.advance(60_000);
    const second = await c.evaluate();
    expect(second.resolved.map((a) => a.source.id)).toEqual([web]);
    expect(second.resolved[0]?.resolved?.comment).toMatch(/^cleared: vm.cpu.percent is 12/);
  });

  it("reads memory as a share of the VM's memory, and disk as written over its disks' size", async () => {
    const node = await env.registerNode("n1", 8, 32768);
    const web = await runningVm("web");
    await rules.createRule(env.ctx, {
      name: "vm-memory",
      spec: { metric: "vm.memory.percent", operator: "gte", threshold: 90, forSec: 0, severity: "CRITICAL" },
    });
    await rules.createRule(env.ctx, {
      name: "vm-disk",
      spec: { metric: "vm.disk.percent", operator: "gt", threshold: 80, forSec: 0, severity: "WARNING" },
    });
    host(node).setVmUsage(web, { cpuPercent: 1, memoryUsedMib: 1900, diskUsedGib: 17, diskCapacityGib: 20 });
    const fired = (await controller().evaluate()).fired;
    expect(fired.map((a) => a.title).sort()).toEqual([
      "VM web: disk used 85% > 80%",
      "VM web: memory 92.77% ≥ 90%",
    ]);
  });

  it("does not ask the agents when no enabled rule watches a VM metric", async () => {
    await env.registerNode("n1", 8, 32768);
    await runningVm("web");
    let reads = 0;
    const counting: VmUsageSource = {
      async read() {
        reads++;
        return new Map();
      },
    };
    await controller(counting).evaluate();
    expect(reads).toBe(0);
    await rules.createRule(env.ctx, {
      name: "vm-cpu",
      spec: { metric: "vm.cpu.percent", operator: "gt", threshold: 90, severity: "INFO" },
    });
    await controller(counting).evaluate();
    expect(reads).toBe(1);
  });

  it("checks a VM rule's scope: resourceId must name a VM", async () => {
    await expect(
      rules.createRule(env.ctx, {
        name: "bad",
        spec: {
          metric: "vm.cpu.percent",
          operator: "gt",
          threshold: 90,
          severity: "INFO",
          scope: { resourceId: "no-such-vm" },
        },
      }),
    ).rejects.toThrow(/spec.scope.resourceId.*names no VirtualMachine/);
  });
});
