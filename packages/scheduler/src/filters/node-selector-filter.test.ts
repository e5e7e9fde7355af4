import { parseLabelSelector } from "@limiquantix/domain";
import { describe, expect, it } from "vitest";
import { node, vm } from "../../test/builders";
import { filterOn, traitsOn } from "../../test/harness";
import { ClusterSnapshot } from "../snapshot/cluster-snapshot";
import { nodeSelectorFilter } from "./node-selector-filter";

describe("node-selector filter", () => {
  const snap = new ClusterSnapshot({
    nodes: [node("a", { labels: { zone: "a", ssd: "true" } }), node("b", { labels: { zone: "b" } })],
  });
  const withSelector = (text: string) => vm("v", { spec: { nodeSelector: parseLabelSelector(text) } });

  it("skips a VM without a node selector", () => {
    expect(filterOn(nodeSelectorFilter, snap, vm("v"), "a")).toBe("skipped");
  });

  it.each([
    ["zone=a", "a", true],
    ["zone=a", "b", false],
    ["zone!=a", "b", true],
    ["zone in (a,c)", "a", true],
    ["zone notin (a,c)", "a", false],
    ["ssd", "a", true],
    ["ssd", "b", false],
    ["!ssd", "b", true],
  ])("applies %s to node %s (fits: %s)", (text, nodeId, fits) => {
    const result = filterOn(nodeSelectorFilter, snap, withSelector(text), nodeId);
    if (fits) expect(result).toBeUndefined();
    else expect(result).toBe(`does not match node selector "${text}"`);
  });

  it("rejects as a node-selector rule that binds running VMs", () => {
    expect(traitsOn(nodeSelectorFilter, snap, withSelector("zone=a"), "b")).toEqual({
      kind: "node-selector",
      bindsRunning: true,
    });
  });
});
