import type { Node, Taint, VirtualMachine } from "@limiquantix/domain";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { network, node, pool, vm, volume } from "../../test/builders";
import { defineFilter, type FilterPlugin } from "../framework/plugin";
import { PRESETS } from "../framework/profile";
import type { RejectionTraits } from "../framework/rejection";
import { Scheduler } from "../scheduler";
import { ClusterSnapshot, type SnapshotInput } from "../snapshot/cluster-snapshot";
import { planDrs } from "./drs-pass";
import type { DrsOptions, DrsResult } from "./drs-types";

const scheduler = new Scheduler();

// A filter without `prepare` concerns every VM and never rejects: with it in the profile no VM is
// rule-free, so every placed VM goes through the full check.
const everyVm: FilterPlugin = defineFilter<undefined>({ name: "every-vm", filter: () => undefined });
const fullCheck = new Scheduler({
  plugins: [everyVm],
  profile: { filters: [...PRESETS.spread.filters, "every-vm"] },
});

const mandatoryOnly: DrsOptions = {
  clusterId: "c1",
  settings: { migrationThreshold: 1 },
  power: { enabled: false },
};

const noExecute: Taint = { key: "failing", value: "", effect: "NoExecute" };
const antiDb = {
  vmAntiAffinity: { required: [{ selector: [{ key: "app", operator: "=", values: ["db"] }] }] },
};

/** Mixed VMs: most carry no per-VM rule, some break a rule where they run, some only could. */
function mixedCluster(): SnapshotInput {
  const nodes = [
    node("n1", { labels: { zone: "a" } }),
    node("n2", { labels: { zone: "a" }, taints: [noExecute] }),
    node("n3", { labels: { zone: "b" }, vcpus: 2 }),
    node("n4", { labels: { zone: "b" } }),
    node("n5", { labels: { zone: "b" }, vcpus: 16, memoryMib: 65_536 }),
  ];
  const plain = (id: string, nodeId: string, labels = {}) => vm(id, { nodeId, labels });
  const vms: VirtualMachine[] = [
    plain("a1", "n1"),
    plain("a2", "n1", { app: "web" }),
    // Rule-free itself, but selected by db-guard's anti-affinity on the same node.
    plain("a3", "n1", { app: "db" }),
    vm("db-guard", { nodeId: "n1", labels: { app: "cache" }, spec: { affinity: antiDb } }),
    vm("zoned", { nodeId: "n1", spec: { nodeSelector: [{ key: "zone", operator: "=", values: ["b"] }] } }),
    vm("pinned", {
      nodeId: "n4",
      spec: {
        affinity: {
          hostRules: [
            {
              type: "not-run-on",
              enforcement: "must",
              nodeSelector: [{ key: "zone", operator: "=", values: ["b"] }],
            },
          ],
        },
      },
    }),
    plain("b1", "n2"),
    plain("b2", "n2"),
    vm("tolerant", { nodeId: "n2", spec: { tolerations: [{ key: "failing", operator: "Exists" }] } }),
    // n3 holds 2 vCPUs and is overcommitted at 2.0: 5 vCPUs placed on 4.
    vm("c1", { nodeId: "n3", vcpus: 2 }),
    vm("c2", { nodeId: "n3", vcpus: 2 }),
    plain("c3", "n3"),
    vm("stored", { nodeId: "n4", spec: { disks: [{ name: "root", volumeId: "vol-1" }] } }),
    vm("wired", { nodeId: "n4", spec: { nics: [{ name: "eth0", networkId: "net-1" }] } }),
    plain("d1", "n4"),
    plain("e1", "n5"),
  ];
  return {
    nodes,
    vms,
    storagePools: [pool("pool-1", ["n5"])],
    volumes: [volume("vol-1", "pool-1")],
    networks: [network("net-1", ["n1", "n5"])],
  };
}

const outcome = (r: DrsResult) => ({ recommendations: r.recommendations, blocked: r.blocked });

describe("mandatory moves for VMs without per-VM rules", () => {
  it("proposes the same mandatory moves as checking every VM in full, on a cluster of mixed VMs", () => {
    const fast = planDrs(scheduler, new ClusterSnapshot(mixedCluster()), mandatoryOnly);
    const full = planDrs(fullCheck, new ClusterSnapshot(mixedCluster()), mandatoryOnly);
    expect(outcome(fast)).toEqual(outcome(full));
    const moved = fast.recommendations.map((r) => r.vmId).sort();
    expect(moved).toEqual(expect.arrayContaining(["a3", "b1", "b2", "pinned", "stored", "wired", "zoned"]));
    expect(moved).not.toContain("tolerant");
    expect(moved).not.toContain("a1");
    expect(fast.recommendations.filter((r) => r.sourceNodeId === "n3").length).toBeGreaterThan(0);
  });

  it("does not run the filters for a VM without per-VM rules on a node that breaks no node-level rule", () => {
    const snapshot = new ClusterSnapshot({
      nodes: [node("n1"), node("n2")],
      vms: [vm("a", { nodeId: "n1" }), vm("b", { nodeId: "n2" }), vm("c", { nodeId: "n2" })],
    });
    const local = new Scheduler();
    const rejections = vi.spyOn(local, "rejections");
    const result = planDrs(local, snapshot, mandatoryOnly);
    expect(result.recommendations).toEqual([]);
    expect(rejections).not.toHaveBeenCalled();
  });

  it("matches the full check on random clusters with rule and rule-free VMs placed anywhere", () => {
    const taintArb = fc.constantFrom<Taint[]>(
      [],
      [],
      [noExecute],
      [{ key: "soft", value: "", effect: "NoSchedule" }],
    );
    const nodeArb = (i: number) =>
      fc
        .record({ zone: fc.constantFrom("a", "b"), vcpus: fc.integer({ min: 1, max: 8 }), taints: taintArb })
        .map((o): Node => node(`n${i}`, { labels: { zone: o.zone }, vcpus: o.vcpus, taints: o.taints }));
    const vmArb = (i: number, nodeCount: number) =>
      fc
        .record({
          on: fc.integer({ min: 0, max: nodeCount - 1 }),
          vcpus: fc.integer({ min: 1, max: 4 }),
          app: fc.constantFrom("web", "db"),
          rule: fc.constantFrom("none", "none", "none", "selector", "anti", "tolerate"),
        })
        .map((o) =>
          vm(`v${String(i).padStart(2, "0")}`, {
            nodeId: `n${o.on}`,
            vcpus: o.vcpus,
            labels: { app: o.app },
            spec: {
              nodeSelector: o.rule === "selector" ? [{ key: "zone", operator: "=", values: ["a"] }] : [],
              tolerations: o.rule === "tolerate" ? [{ key: "failing", operator: "Exists" }] : [],
              affinity: o.rule === "anti" ? antiDb : {},
            },
          }),
        );
    const clusterArb = fc
      .record({ nodeCount: fc.integer({ min: 1, max: 5 }), vmCount: fc.integer({ min: 1, max: 16 }) })
      .chain(({ nodeCount, vmCount }) =>
        fc.record({
          nodes: fc.tuple(...Array.from({ length: nodeCount }, (_, i) => nodeArb(i))),
          vms: fc.tuple(...Array.from({ length: vmCount }, (_, i) => vmArb(i, nodeCount))),
        }),
      );
    fc.assert(
      fc.property(clusterArb, ({ nodes, vms }) => {
        const fast = planDrs(scheduler, new ClusterSnapshot({ nodes, vms }), mandatoryOnly);
        const full = planDrs(fullCheck, new ClusterSnapshot({ nodes, vms }), mandatoryOnly);
        expect(outcome(fast)).toEqual(outcome(full));
      }),
      { numRuns: 200 },
    );
  });
});

describe("mandatory moves by typed rejection", () => {
  // A third-party rule that turns down nodes labelled `retiring`, typed as its author declares.
  const retiring = (name: string, rejects?: RejectionTraits) =>
    defineFilter<undefined>({
      name,
      ...(rejects === undefined ? {} : { rejects }),
      filter: (n) => (n.labels.retiring === "true" ? "node is retiring" : undefined),
    });
  const withRule = (plugin: FilterPlugin) =>
    new Scheduler({ plugins: [plugin], profile: { filters: [...PRESETS.spread.filters, plugin.name] } });
  const cluster = () =>
    new ClusterSnapshot({
      nodes: [node("n1", { labels: { retiring: "true" } }), node("n2")],
      vms: [vm("a", { nodeId: "n1" })],
    });

  it("moves a VM off a node whose third-party rule binds running VMs", () => {
    const result = planDrs(
      withRule(retiring("retiring", { kind: "other", bindsRunning: true })),
      cluster(),
      mandatoryOnly,
    );
    expect(result.recommendations).toEqual([
      expect.objectContaining({ vmId: "a", sourceNodeId: "n1", targetNodeId: "n2", priority: "CRITICAL" }),
    ]);
    expect(result.recommendations[0]!.reason).toContain("node is retiring");
  });

  it("leaves a VM where a third-party rule only forbids new placements", () => {
    const result = planDrs(
      withRule(retiring("retiring", { kind: "node-state", bindsRunning: false })),
      cluster(),
      mandatoryOnly,
    );
    expect(result.recommendations).toEqual([]);
    expect(result.blocked).toEqual([]);
  });

  it("honours a per-rejection bindsRunning over the plugin's declared traits", () => {
    const perRejection = defineFilter<undefined>({
      name: "retiring",
      rejects: { kind: "other", bindsRunning: true },
      filter: (n) =>
        n.labels.retiring === "true"
          ? { reason: "node is retiring", kind: "node-state", bindsRunning: false }
          : undefined,
    });
    expect(planDrs(withRule(perRejection), cluster(), mandatoryOnly).recommendations).toEqual([]);
  });

  it("takes a plain reason from a filter that declares no traits as binding running VMs", () => {
    const result = planDrs(withRule(retiring("retiring")), cluster(), mandatoryOnly);
    expect(result.recommendations.map((r) => r.vmId)).toEqual(["a"]);
  });
});
