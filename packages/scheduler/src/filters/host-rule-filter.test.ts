import { parseLabelSelector } from "@limiquantix/domain";
import { describe, expect, it } from "vitest";
import { node, vm } from "../../test/builders";
import { filterOn, traitsOn } from "../../test/harness";
import { ClusterSnapshot } from "../snapshot/cluster-snapshot";
import { hostRuleFilter } from "./host-rule-filter";

const rule = (type: "run-on" | "not-run-on", enforcement: "must" | "should", selector: string) => ({
  type,
  enforcement,
  nodeSelector: parseLabelSelector(selector),
});

describe("host-rule filter", () => {
  const snap = new ClusterSnapshot({ nodes: [node("a", { labels: { group: "licensed" } }), node("b")] });

  it("keeps a must run-on VM inside its node group", () => {
    const v = vm("v", { spec: { affinity: { hostRules: [rule("run-on", "must", "group=licensed")] } } });
    expect(filterOn(hostRuleFilter, snap, v, "a")).toBeUndefined();
    expect(filterOn(hostRuleFilter, snap, v, "b")).toBe('host rule: must run on nodes "group=licensed"');
  });

  it("keeps a must not-run-on VM outside its node group", () => {
    const v = vm("v", { spec: { affinity: { hostRules: [rule("not-run-on", "must", "group=licensed")] } } });
    expect(filterOn(hostRuleFilter, snap, v, "a")).toBe('host rule: must not run on nodes "group=licensed"');
    expect(filterOn(hostRuleFilter, snap, v, "b")).toBeUndefined();
  });

  it("ignores should rules, which are scored", () => {
    const v = vm("v", { spec: { affinity: { hostRules: [rule("run-on", "should", "group=licensed")] } } });
    expect(filterOn(hostRuleFilter, snap, v, "b")).toBe("skipped");
  });

  it("rejects as a host-rule rule that binds running VMs", () => {
    const v = vm("v", { spec: { affinity: { hostRules: [rule("run-on", "must", "group=licensed")] } } });
    expect(traitsOn(hostRuleFilter, snap, v, "b")).toEqual({ kind: "host-rule", bindsRunning: true });
  });
});
