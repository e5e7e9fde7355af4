import { describe, expect, it } from "vitest";
import { vm } from "./cluster";
import { explain, formatCandidates, labCluster, place } from "./embed-scheduler";

describe("embedding the scheduler", () => {
  it("places a small VM on the roomiest schedulable node and ranks the feasible ones", () => {
    const placement = place(labCluster(), vm("web-1", { vcpus: 2, memoryMib: 4096 }));

    expect(placement.nodeId).toBe("node-b");
    expect(placement.candidates?.map((c) => c.nodeId)).toEqual(["node-b", "node-a"]);
    const [best, runnerUp] = placement.candidates ?? [];
    expect(best!.score).toBeGreaterThan(runnerUp!.score);
    expect(Object.keys(best!.scores)).toContain("least-allocated");
    expect(formatCandidates(placement)[0]).toMatch(/^1\. node-b {2}total \d+\.\d/);
  });

  it("never offers the cordoned node, however large", () => {
    const placement = place(labCluster(), vm("web-2", { vcpus: 2, memoryMib: 4096 }));
    expect(placement.candidates?.map((c) => c.nodeId)).not.toContain("node-c");
  });

  it("counts the demand of VMs already placed: a VM that fits node-a only when empty goes elsewhere", () => {
    // node-a has 8 vCPUs (16 after the default 2.0 CPU overcommit) and 16 GiB × 1.5; db-1 holds 8 GiB of it.
    const placement = place(labCluster(), vm("cache-1", { vcpus: 2, memoryMib: 20_480 }));
    expect(placement.candidates?.map((c) => c.nodeId)).toEqual(["node-b"]);
  });

  it("explains a VM no node fits, node by node and filter by filter", () => {
    const failure = explain(labCluster(), vm("huge-1", { vcpus: 48, memoryMib: 262_144 }));

    expect(failure?.message).toMatch(/^0\/3 nodes fit: 2 insufficient cpu and memory .*, 1 cordoned;/);
    expect(failure?.message).toContain('relax the placement rules of vm "huge-1"');
    expect(failure?.details.summary).toEqual([
      { reason: "insufficient cpu and memory (need 48 vCPUs, 262144 MiB)", count: 2 },
      { reason: "cordoned", count: 1 },
    ]);
    const nodeC = failure?.details.nodes.find((n) => n.nodeId === "node-c");
    expect(nodeC?.reasons.map((r) => r.plugin)).toEqual(["node-ready", "capacity"]);
  });

  it("has nothing to explain when the VM fits", () => {
    expect(explain(labCluster(), vm("web-3", { vcpus: 1, memoryMib: 1024 }))).toBeUndefined();
  });
});
