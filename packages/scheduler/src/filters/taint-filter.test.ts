import { describe, expect, it } from "vitest";
import { node, vm } from "../../test/builders";
import { filterOn, rejectionOn, traitsOn } from "../../test/harness";
import { ClusterSnapshot } from "../snapshot/cluster-snapshot";
import { taintFilter } from "./taint-filter";

describe("taint filter", () => {
  const snap = new ClusterSnapshot({
    nodes: [
      node("gpu", { taints: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] }),
      node("evict", { taints: [{ key: "bad", value: "", effect: "NoExecute" }] }),
      node("soft", { taints: [{ key: "old", value: "", effect: "PreferNoSchedule" }] }),
    ],
  });

  it("rejects a NoSchedule taint the VM does not tolerate", () => {
    expect(filterOn(taintFilter, snap, vm("v"), "gpu")).toBe("untolerated taint dedicated=gpu:NoSchedule");
  });

  it("rejects a NoExecute taint the VM does not tolerate", () => {
    expect(filterOn(taintFilter, snap, vm("v"), "evict")).toBe("untolerated taint bad:NoExecute");
  });

  it("leaves PreferNoSchedule taints to scoring", () => {
    expect(filterOn(taintFilter, snap, vm("v"), "soft")).toBeUndefined();
  });

  it("passes with an Equal toleration of the key and value", () => {
    const v = vm("v", { spec: { tolerations: [{ key: "dedicated", value: "gpu", effect: "NoSchedule" }] } });
    expect(filterOn(taintFilter, snap, v, "gpu")).toBeUndefined();
  });

  it("rejects a toleration with the wrong value or effect", () => {
    const wrongValue = vm("v", { spec: { tolerations: [{ key: "dedicated", value: "cpu" }] } });
    const wrongEffect = vm("w", {
      spec: { tolerations: [{ key: "dedicated", operator: "Exists", effect: "NoExecute" }] },
    });
    expect(filterOn(taintFilter, snap, wrongValue, "gpu")).toBe("untolerated taint dedicated=gpu:NoSchedule");
    expect(filterOn(taintFilter, snap, wrongEffect, "gpu")).toBe(
      "untolerated taint dedicated=gpu:NoSchedule",
    );
  });

  it("passes with a key-less Exists toleration, which tolerates everything", () => {
    const v = vm("v", { spec: { tolerations: [{ operator: "Exists" }] } });
    expect(filterOn(taintFilter, snap, v, "gpu")).toBeUndefined();
    expect(filterOn(taintFilter, snap, v, "evict")).toBeUndefined();
  });

  it("rejects for NoSchedule as a taint rule that leaves running VMs alone", () => {
    expect(traitsOn(taintFilter, snap, vm("v"), "gpu")).toEqual({ kind: "taint", bindsRunning: false });
  });

  it("rejects for NoExecute as a taint rule that also binds running VMs", () => {
    expect(traitsOn(taintFilter, snap, vm("v"), "evict")).toEqual({ kind: "taint", bindsRunning: true });
  });

  it("reports the NoExecute taint of a node that also carries an untolerated NoSchedule one", () => {
    const both = new ClusterSnapshot({
      nodes: [
        node("both", {
          taints: [
            { key: "dedicated", value: "gpu", effect: "NoSchedule" },
            { key: "bad", value: "", effect: "NoExecute" },
          ],
        }),
      ],
    });
    expect(rejectionOn(taintFilter, both, vm("v"), "both")).toEqual({
      plugin: "taints",
      reason: "untolerated taint bad:NoExecute",
      kind: "taint",
      bindsRunning: true,
    });
    const toleratesEviction = vm("t", { spec: { tolerations: [{ key: "bad", operator: "Exists" }] } });
    expect(rejectionOn(taintFilter, both, toleratesEviction, "both")).toEqual({
      plugin: "taints",
      reason: "untolerated taint dedicated=gpu:NoSchedule",
      kind: "taint",
      bindsRunning: false,
    });
  });
});
