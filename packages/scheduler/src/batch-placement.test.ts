import { hasErrorCode } from "@limiquantix/domain";
import { describe, expect, it } from "vitest";
import { node, vm } from "../test/builders";
import { Scheduler } from "./scheduler";
import { ClusterSnapshot } from "./snapshot/cluster-snapshot";

const antiWeb = (id: string) =>
  vm(id, {
    labels: { app: "web" },
    spec: {
      affinity: {
        vmAntiAffinity: { required: [{ selector: [{ key: "app", operator: "=", values: ["web"] }] }] },
      },
    },
  });

describe("Scheduler.placeBatch", () => {
  it("never overcommits: each VM sees the capacity taken by the ones before it", () => {
    // Three nodes of 4 vCPUs (8 after overcommit): exactly six 4-vCPU VMs fit.
    const snap = new ClusterSnapshot({
      nodes: [node("a", { vcpus: 4 }), node("b", { vcpus: 4 }), node("c", { vcpus: 4 })],
    });
    const vms = Array.from({ length: 6 }, (_, i) => vm(`v${i}`, { vcpus: 4 }));
    const result = new Scheduler({ profile: { preset: "pack" } }).placeBatch(snap, vms);
    const perNode = new Map<string, number>();
    for (const p of result.placements) perNode.set(p.nodeId, (perNode.get(p.nodeId) ?? 0) + 4);
    expect([...perNode.values()].every((v) => v <= 8)).toBe(true);
    expect(result.placements).toHaveLength(6);
  });

  it("fails an atomic batch that does not fit and leaves the snapshot untouched", () => {
    const snap = new ClusterSnapshot({ nodes: [node("a", { vcpus: 4 })] });
    const before = snap.node("a")?.allocated.vcpus;
    let error: unknown;
    try {
      new Scheduler().placeBatch(snap, [vm("v1", { vcpus: 6 }), vm("v2", { vcpus: 6 })]);
    } catch (e) {
      error = e;
    }
    expect(hasErrorCode(error, "ResourceExhausted")).toBe(true);
    expect((error as Error).message).toMatch(
      /^vm "v2" \(2 of 2 in the batch\) cannot be placed: 0\/1 nodes fit: 1 insufficient cpu/,
    );
    expect(snap.node("a")?.allocated.vcpus).toBe(before);
    expect(snap.vm("v1")).toBeUndefined();
  });

  it("reports the VMs left out of a non-atomic batch and places the rest", () => {
    const snap = new ClusterSnapshot({ nodes: [node("a", { vcpus: 4 })] });
    const result = new Scheduler().placeBatch(
      snap,
      [vm("v1", { vcpus: 6 }), vm("v2", { vcpus: 6 }), vm("v3", { vcpus: 2 })],
      {
        atomic: false,
      },
    );
    expect(result.placements.map((p) => p.vmId)).toEqual(["v1", "v3"]);
    expect(result.failures.map((f) => [f.vmId, f.error.code])).toEqual([["v2", "ResourceExhausted"]]);
  });

  it("honours anti-affinity between members of the batch", () => {
    const snap = new ClusterSnapshot({ nodes: [node("a"), node("b"), node("c")] });
    const result = new Scheduler({ profile: { preset: "pack" } }).placeBatch(snap, [
      antiWeb("w1"),
      antiWeb("w2"),
      antiWeb("w3"),
    ]);
    expect(new Set(result.placements.map((p) => p.nodeId)).size).toBe(3);
    expect(() =>
      new Scheduler().placeBatch(snap, [antiWeb("w1"), antiWeb("w2"), antiWeb("w3"), antiWeb("w4")]),
    ).toThrow(/anti-affinity with vm "w/);
  });

  it("keeps the reservations only when asked", () => {
    const snap = new ClusterSnapshot({ nodes: [node("a")] });
    new Scheduler().placeBatch(snap, [vm("v1"), vm("v2")]);
    expect(snap.node("a")?.allocated.vmCount).toBe(0);
    const kept = new Scheduler().placeBatch(snap, [vm("v1"), vm("v2")], { reserve: true });
    expect(snap.node("a")?.allocated.vmCount).toBe(2);
    expect(kept.placements.every((p) => p.reservation !== undefined)).toBe(true);
  });

  it("rejects a batch naming the same VM twice", () => {
    const snap = new ClusterSnapshot({ nodes: [node("a")] });
    expect(() => new Scheduler().placeBatch(snap, [vm("v1"), vm("v1")])).toThrow(
      /vms\[1\]\.id must be unique in the batch/,
    );
  });
});
