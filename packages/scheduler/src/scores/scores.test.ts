import { parseLabelSelector } from "@limiquantix/domain";
import { describe, expect, it } from "vitest";
import { node, vm } from "../../test/builders";
import { scoresOf } from "../../test/harness";
import { ClusterSnapshot } from "../snapshot/cluster-snapshot";
import { balancedScore } from "./balanced-score";
import { hostRuleScore } from "./host-rule-score";
import { leastAllocatedScore } from "./least-allocated-score";
import { mostAllocatedScore } from "./most-allocated-score";
import { preferNoScheduleScore } from "./prefer-no-schedule-score";
import { vmAffinityScore } from "./vm-affinity-score";

// Two 8-vCPU / 16 GiB nodes (capacity 16 vCPUs, 24 GiB after overcommit); "busy" holds 8 vCPUs and 12 GiB.
const snap = new ClusterSnapshot({
  nodes: [node("busy"), node("idle")],
  vms: [vm("old", { nodeId: "busy", vcpus: 8, memoryMib: 12_288 })],
});
const small = vm("new", { vcpus: 2, memoryMib: 3072 });

describe("least-allocated score (spread)", () => {
  it("prefers the emptier node", () => {
    const [busy, idle] = scoresOf(leastAllocatedScore, snap, small, ["busy", "idle"]) as number[];
    expect(idle).toBeGreaterThan(busy!);
    expect(idle).toBe(87.5);
  });
});

describe("most-allocated score (pack)", () => {
  it("prefers the fuller node", () => {
    const [busy, idle] = scoresOf(mostAllocatedScore, snap, small, ["busy", "idle"]) as number[];
    expect(busy).toBeGreaterThan(idle!);
    expect(busy).toBe(62.5);
  });
});

describe("balanced score", () => {
  it("prefers the node where CPU and memory shares stay in proportion", () => {
    const cpuHeavy = new ClusterSnapshot({
      nodes: [node("cpu-full"), node("even")],
      vms: [vm("c", { nodeId: "cpu-full", vcpus: 12, memoryMib: 1024 })],
    });
    const [skewed, even] = scoresOf(balancedScore, cpuHeavy, small, ["cpu-full", "even"]) as number[];
    expect(even).toBeGreaterThan(skewed!);
    expect(even).toBe(100);
  });
});

describe("prefer-no-schedule score", () => {
  const tainted = new ClusterSnapshot({
    nodes: [node("soft", { taints: [{ key: "old", value: "", effect: "PreferNoSchedule" }] }), node("clean")],
  });

  it("ranks a node with an untolerated PreferNoSchedule taint lowest", () => {
    expect(scoresOf(preferNoScheduleScore, tainted, small, ["soft", "clean"])).toEqual([0, 100]);
  });

  it("does not penalise a tolerated PreferNoSchedule taint", () => {
    const tolerant = vm("t", { spec: { tolerations: [{ key: "old", operator: "Exists" }] } });
    expect(scoresOf(preferNoScheduleScore, tainted, tolerant, ["soft", "clean"])).toEqual([100, 100]);
  });
});

describe("vm-affinity-preference score", () => {
  const apps = new ClusterSnapshot({
    nodes: [node("n1"), node("n2"), node("n3")],
    vms: [
      vm("w1", { labels: { app: "web" }, nodeId: "n1" }),
      vm("w2", { labels: { app: "web" }, nodeId: "n1" }),
      vm("w3", { labels: { app: "web" }, nodeId: "n2" }),
    ],
  });
  const pref = (kind: "vmAffinity" | "vmAntiAffinity") =>
    vm("x", {
      spec: {
        affinity: { [kind]: { preferred: [{ selector: parseLabelSelector("app=web"), weight: 10 }] } },
      },
    });

  it("skips a VM without preferred terms", () => {
    expect(scoresOf(vmAffinityScore, apps, small, ["n1"])).toBe("skipped");
  });

  it("favours the domain with the most selected VMs for preferred affinity", () => {
    expect(scoresOf(vmAffinityScore, apps, pref("vmAffinity"), ["n1", "n2", "n3"])).toEqual([100, 50, 0]);
  });

  it("favours the domain with the fewest selected VMs for preferred anti-affinity", () => {
    expect(scoresOf(vmAffinityScore, apps, pref("vmAntiAffinity"), ["n1", "n2", "n3"])).toEqual([0, 50, 100]);
  });
});

describe("host-rule-preference score", () => {
  const groups = new ClusterSnapshot({
    nodes: [node("a", { labels: { rack: "r1" } }), node("b", { labels: { rack: "r2" } })],
  });

  it("scores the weighted share of should rules a node meets", () => {
    const v = vm("v", {
      spec: {
        affinity: {
          hostRules: [
            {
              type: "run-on",
              enforcement: "should",
              nodeSelector: parseLabelSelector("rack=r1"),
              weight: 30,
            },
            {
              type: "not-run-on",
              enforcement: "should",
              nodeSelector: parseLabelSelector("rack=r2"),
              weight: 10,
            },
          ],
        },
      },
    });
    expect(scoresOf(hostRuleScore, groups, v, ["a", "b"])).toEqual([100, 0]);
  });

  it("skips a VM with only must rules", () => {
    const v = vm("v", {
      spec: {
        affinity: {
          hostRules: [{ type: "run-on", enforcement: "must", nodeSelector: parseLabelSelector("rack=r1") }],
        },
      },
    });
    expect(scoresOf(hostRuleScore, groups, v, ["a", "b"])).toBe("skipped");
  });
});
