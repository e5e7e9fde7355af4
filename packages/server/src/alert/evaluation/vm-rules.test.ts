import { type Alert, AlertRule, type Node, type PowerState, type VirtualMachine } from "@limiquantix/domain";
import { describe, expect, it } from "vitest";
import { metricNamed, usesVmMetrics } from "./metric-catalog";
import { type ResourceSample, samplesOf, type VmUsage, vmSample } from "./metric-samples";
import { evaluateRules, ruleFingerprint, type Tracking } from "./rule-evaluation";

const T0 = Date.parse("2026-01-01T00:00:00.000Z");
const sec = (n: number) => T0 + n * 1000;

function rule(id: string, spec: Partial<AlertRule["spec"]> = {}): AlertRule {
  return AlertRule.parse({
    id,
    name: id,
    resourceVersion: 1,
    createdAt: new Date(T0).toISOString(),
    updatedAt: new Date(T0).toISOString(),
    spec: {
      metric: "vm.cpu.percent",
      operator: "gt",
      threshold: 90,
      forSec: 60,
      severity: "WARNING",
      ...spec,
    },
  });
}

const readyNode = (id: string, clusterId = "c1", phase = "READY") =>
  ({ id, name: id, clusterId, spec: { memoryMib: 65536 }, status: { phase } }) as unknown as Node;

function vm(id: string, nodeId = "n1", powerState: PowerState = "RUNNING", projectId = "p1"): VirtualMachine {
  return {
    id,
    name: id,
    projectId,
    spec: { memory: { sizeMib: 2048 } },
    status: { powerState, nodeId },
  } as unknown as VirtualMachine;
}

const usage = (cpuPercent: number, extra: Partial<VmUsage> = {}): VmUsage => ({
  cpuPercent,
  memoryUsedMib: 1024,
  ...extra,
});

const vmAlert = (r: AlertRule, vmId: string): Alert => ({
  id: `a-${vmId}`,
  resourceVersion: 1,
  createdAt: new Date(T0).toISOString(),
  updatedAt: new Date(T0).toISOString(),
  labels: {},
  projectId: "p1",
  severity: r.spec.severity,
  state: "OPEN",
  source: { kind: "VirtualMachine", id: vmId, name: vmId },
  title: "t",
  message: "",
  fingerprint: ruleFingerprint(r.id, "VirtualMachine", vmId),
  ruleId: r.id,
});

describe("VM metrics", () => {
  it("are in the catalog as VirtualMachine metrics, and only VM rules ask the agents", () => {
    expect(
      ["vm.cpu.percent", "vm.memory.percent", "vm.disk.percent"].map((m) => metricNamed(m)?.kind),
    ).toEqual(["VirtualMachine", "VirtualMachine", "VirtualMachine"]);
    expect(usesVmMetrics([rule("r")])).toBe(true);
    expect(usesVmMetrics([rule("r", { enabled: false })])).toBe(false);
    expect(usesVmMetrics([rule("r", { metric: "node.cpu.percent" })])).toBe(false);
  });

  it("read a running VM's CPU, memory over its memory and disk written over its disks, with its project and its node's cluster", () => {
    const s = vmSample(
      vm("web"),
      readyNode("n1", "c7"),
      usage(97.123, { memoryUsedMib: 1536, diskUsedGib: 45, diskCapacityGib: 50 }),
    );
    expect(s).toEqual({
      kind: "VirtualMachine",
      id: "web",
      name: "web",
      projectId: "p1",
      clusterId: "c7",
      values: { "vm.cpu.percent": 97.12, "vm.memory.percent": 75, "vm.disk.percent": 90 },
    });
  });

  it("are unknown for an agent that measures nothing, a node that is not READY or no answer; inactive for a stopped VM", () => {
    expect(vmSample(vm("web"), readyNode("n1"), {}).values).toEqual({});
    expect(vmSample(vm("web"), readyNode("n1", "c1", "NOT_READY"), usage(99)).values).toEqual({});
    expect(vmSample(vm("web"), readyNode("n1"), undefined)).not.toHaveProperty("inactive");
    expect(vmSample(vm("web", "n1", "STOPPED"), readyNode("n1"), undefined)).toMatchObject({
      values: {},
      inactive: "is stopped",
    });
  });

  it("fire one alert per rule × VM after the for-duration, and resolve each once it has stayed clear as long", () => {
    const r = rule("busy");
    const nodes = [readyNode("n1")];
    const vms = [vm("web"), vm("db"), vm("idle")];
    const samples = (cpu: Record<string, number>): ResourceSample[] =>
      samplesOf(nodes, [], [], { vms, usage: new Map(Object.entries(cpu).map(([id, c]) => [id, usage(c)])) });
    let tracking: ReadonlyMap<string, Tracking> = new Map();
    const pass = (at: number, cpu: Record<string, number>, active: Alert[] = []) => {
      const out = evaluateRules({ now: at, rules: [r], samples: samples(cpu), active, tracking });
      tracking = out.tracking;
      return out;
    };
    expect(pass(sec(0), { web: 95, db: 99, idle: 3 }).fire).toEqual([]);
    const fired = pass(sec(60), { web: 96, db: 98, idle: 3 });
    expect(fired.fire.map((f) => [f.fingerprint, f.sample.projectId, f.value])).toEqual([
      [ruleFingerprint("busy", "VirtualMachine", "web"), "p1", 96],
      [ruleFingerprint("busy", "VirtualMachine", "db"), "p1", 98],
    ]);
    const active = [vmAlert(r, "web"), vmAlert(r, "db")];
    // web calms down; db stays busy: only web's alert resolves, a for-duration later.
    expect(pass(sec(75), { web: 20, db: 99, idle: 3 }, active)).toMatchObject({ fire: [], resolve: [] });
    const later = pass(sec(135), { web: 25, db: 99, idle: 3 }, active);
    expect(later.fire).toEqual([]);
    expect(later.resolve.map((d) => [d.alert.source.id, d.reason])).toEqual([
      ["web", expect.stringMatching(/^cleared: vm.cpu.percent is 25/)],
    ]);
  });

  it("keep an alert while its VM's agent does not answer, and resolve it at once when the VM stops", () => {
    const r = rule("busy", { forSec: 0 });
    const active = [vmAlert(r, "web")];
    const node = readyNode("n1");
    const silent = evaluateRules({
      now: sec(0),
      rules: [r],
      samples: samplesOf([node], [], [], { vms: [vm("web")], usage: new Map() }),
      active,
      tracking: new Map(),
    });
    expect(silent).toMatchObject({ fire: [], resolve: [] });
    const stopped = evaluateRules({
      now: sec(1),
      rules: [r],
      samples: samplesOf([node], [], [], { vms: [vm("web", "n1", "STOPPED")], usage: new Map() }),
      active,
      tracking: new Map(),
    });
    expect(stopped.resolve.map((d) => d.reason)).toEqual(["VirtualMachine web is stopped"]);
  });

  it("watch only the VMs of the rule's scope: one VM, or the VMs on the nodes of one cluster", () => {
    const nodes = [readyNode("n1", "c1"), readyNode("n2", "c2")];
    const samples = samplesOf(nodes, [], [], {
      vms: [vm("a", "n1"), vm("b", "n2")],
      usage: new Map([
        ["a", usage(99)],
        ["b", usage(99)],
      ]),
    });
    const fireOf = (r: AlertRule) =>
      evaluateRules({ now: sec(0), rules: [r], samples, active: [], tracking: new Map() }).fire.map(
        (f) => f.sample.id,
      );
    expect(fireOf(rule("all", { forSec: 0 }))).toEqual(["a", "b"]);
    expect(fireOf(rule("one", { forSec: 0, scope: { resourceId: "b" } }))).toEqual(["b"]);
    expect(fireOf(rule("c1", { forSec: 0, scope: { clusterId: "c1" } }))).toEqual(["a"]);
  });
});
