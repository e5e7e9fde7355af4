import { type DomainError, hasErrorCode, type VirtualMachine } from "@limiquantix/domain";
import { describe, expect, it } from "vitest";
import { node, vm } from "../test/builders";
import type { PlacementFailureDetails } from "./framework/explain";
import { defineFilter, defineScore, SKIP } from "./framework/plugin";
import { Scheduler } from "./scheduler";
import { ClusterSnapshot } from "./snapshot/cluster-snapshot";

function failure(f: () => unknown): DomainError {
  try {
    f();
  } catch (e) {
    if (hasErrorCode(e, "ResourceExhausted")) return e;
    throw e;
  }
  throw new Error("expected the placement to fail");
}

describe("Scheduler.place", () => {
  it("summarises why no node fits, most frequent reason first, with per-node reasons in details", () => {
    const nodes = [
      ...Array.from({ length: 7 }, (_, i) => node(`small-${i}`, { memoryMib: 4096 })),
      ...Array.from({ length: 3 }, (_, i) => node(`cordoned-${i}`, { cordoned: true })),
      node("db-a"),
      node("db-b"),
    ];
    const snap = new ClusterSnapshot({
      nodes,
      vms: [
        vm("db-1", { labels: { app: "db" }, nodeId: "db-a" }),
        vm("db-1b", { labels: { app: "db" }, nodeId: "db-b" }),
      ],
    });
    const db2 = vm("db-2", {
      labels: { app: "db" },
      memoryMib: 8192,
      spec: {
        affinity: {
          vmAntiAffinity: { required: [{ selector: [{ key: "app", operator: "=", values: ["db"] }] }] },
        },
      },
    });
    const err = failure(() => new Scheduler().place(snap, db2));
    expect(err.message).toBe(
      '0/12 nodes fit: 7 insufficient memory (need 8192 MiB), 3 cordoned, 1 anti-affinity with vm "db-1", ' +
        '1 anti-affinity with vm "db-1b"; add capacity or relax the placement rules of vm "db-2"',
    );
    const details = err.details as PlacementFailureDetails;
    expect(details.resource).toEqual({ kind: "VirtualMachine", id: "db-2", name: "db-2" });
    expect(details.nodes).toHaveLength(12);
    expect(details.nodes.find((n) => n.nodeId === "cordoned-0")?.reasons).toEqual([
      { plugin: "node-ready", reason: "cordoned", kind: "node-state", bindsRunning: false },
    ]);
    expect(details.summary[0]).toEqual({ reason: "insufficient memory (need 8192 MiB)", count: 7 });
  });

  it("lists every failing filter of a node in details, not only the first", () => {
    const snap = new ClusterSnapshot({ nodes: [node("n", { cordoned: true, memoryMib: 1024 })] });
    const err = failure(() => new Scheduler().place(snap, vm("big", { memoryMib: 8192 })));
    const reasons = (err.details as PlacementFailureDetails).nodes[0]?.reasons.map((r) => r.plugin);
    expect(reasons).toEqual(["node-ready", "capacity"]);
    expect(err.message).toMatch(/^0\/1 nodes fit: 1 cordoned;/);
  });

  it("types every reason in details with its kind and whether it binds running VMs", () => {
    const snap = new ClusterSnapshot({
      nodes: [
        node("n", { memoryMib: 1024, taints: [{ key: "bad", value: "", effect: "NoExecute" }] }),
        node("x"),
      ],
    });
    const err = failure(() =>
      new Scheduler().place(snap, vm("big", { memoryMib: 8192 }), { excludeNodeIds: ["x"] }),
    );
    const details = err.details as PlacementFailureDetails;
    expect(details.nodes.map((n) => n.reasons)).toEqual([
      [
        {
          plugin: "capacity",
          reason: "insufficient memory (need 8192 MiB)",
          kind: "capacity",
          bindsRunning: true,
        },
        { plugin: "taints", reason: "untolerated taint bad:NoExecute", kind: "taint", bindsRunning: true },
      ],
      [{ plugin: "request", reason: "excluded by the request", kind: "request", bindsRunning: false }],
    ]);
  });

  it("explains an empty snapshot", () => {
    expect(failure(() => new Scheduler().place(new ClusterSnapshot(), vm("a"))).message).toMatch(
      /^0\/0 nodes fit: the snapshot has no nodes/,
    );
  });

  it("returns ranked candidates with each plugin's score when asked", () => {
    const snap = new ClusterSnapshot({
      nodes: [node("a"), node("b")],
      vms: [vm("x", { nodeId: "a", vcpus: 8 })],
    });
    const p = new Scheduler().place(snap, vm("v"), { candidates: 5 });
    expect(p.nodeId).toBe("b");
    expect(p.candidates?.map((c) => c.nodeId)).toEqual(["b", "a"]);
    expect(Object.keys(p.candidates?.[0]?.scores ?? {})).toEqual([
      "least-allocated",
      "balanced",
      "prefer-no-schedule",
    ]);
    expect(p.candidates?.[0]?.score).toBe(p.score);
    expect(p.candidates?.[0]?.score).toBeGreaterThan(p.candidates?.[1]?.score ?? 0);
  });

  it("spreads with the spread preset and packs with the pack preset", () => {
    const snap = new ClusterSnapshot({
      nodes: [node("a"), node("b")],
      vms: [vm("x", { nodeId: "a", vcpus: 4 })],
    });
    expect(new Scheduler({ profile: { preset: "spread" } }).place(snap, vm("v")).nodeId).toBe("b");
    expect(new Scheduler({ profile: { preset: "pack" } }).place(snap, vm("v")).nodeId).toBe("a");
  });

  it("breaks ties by node id, and by a seeded hash when seeded, the same way every time", () => {
    const snap = new ClusterSnapshot({ nodes: ["n3", "n1", "n2", "n4", "n5"].map((id) => node(id)) });
    expect(new Scheduler().place(snap, vm("v")).nodeId).toBe("n1");
    const seeded = (seed: string) => new Scheduler({ profile: { seed } }).place(snap, vm("v")).nodeId;
    expect(seeded("s1")).toBe(seeded("s1"));
    const picks = new Set(["a", "b", "c", "d", "e", "f", "g", "h"].map(seeded));
    expect(picks.size).toBeGreaterThan(1);
  });

  it("never picks an excluded node", () => {
    const snap = new ClusterSnapshot({ nodes: [node("a"), node("b")] });
    expect(new Scheduler().place(snap, vm("v"), { excludeNodeIds: ["a"] }).nodeId).toBe("b");
    const err = failure(() => new Scheduler().place(snap, vm("v"), { excludeNodeIds: ["a", "b"] }));
    expect(err.message).toMatch(/^0\/2 nodes fit: 2 excluded by the request/);
  });

  it("reserves the chosen node when asked, and the reservation can be reverted", () => {
    const snap = new ClusterSnapshot({ nodes: [node("a")] });
    const p = new Scheduler().place(snap, vm("v", { vcpus: 3 }), { reserve: true });
    expect(snap.node("a")?.allocated.vcpus).toBe(3);
    snap.revert(p.reservation!);
    expect(snap.node("a")?.allocated.vcpus).toBe(0);
    expect(snap.vm("v")).toBeUndefined();
  });

  it("lets a third-party filter registered by name change the outcome", () => {
    const snap = new ClusterSnapshot({ nodes: [node("a"), node("b", { labels: { gpu: "a100" } })] });
    const v = vm("v", { labels: { needs: "gpu" } });
    expect(new Scheduler().place(snap, v).nodeId).toBe("a");
    const gpuOnly = defineFilter<boolean>({
      name: "gpu-only",
      prepare: (ctx) => (ctx.vm.labels.needs === "gpu" ? true : SKIP),
      filter: (n) => (n.labels.gpu === undefined ? "no gpu" : undefined),
    });
    const scheduler = new Scheduler({
      plugins: [gpuOnly],
      profile: { filters: [...new Scheduler().registry.filterNames(), "gpu-only"] },
    });
    expect(scheduler.place(snap, v).nodeId).toBe("b");
    expect(scheduler.check(snap, v, "a")).toEqual(["no gpu"]);
  });

  it("scans with a third-party filter's column form and still explains with its filter", () => {
    const snap = new ClusterSnapshot({
      nodes: [node("a", { labels: { gpu: "t4" } }), node("b", { labels: { gpu: "a100" } }), node("c")],
    });
    const scanned: number[] = [];
    const gpuOnly = defineFilter<string>({
      name: "gpu-only",
      prepare: (ctx) => ctx.vm.labels.gpu ?? SKIP,
      filter: (n, _ctx, model) => (n.labels.gpu === model ? undefined : `no ${model} gpu`),
      filterColumns(columns, rows, count, _ctx, model) {
        scanned.push(count);
        const gpu = columns.label("gpu");
        const want = gpu.codeOf(model);
        let kept = 0;
        for (let j = 0; j < count; j++)
          if (want >= 0 && gpu.codes[rows[j]!] === want) rows[kept++] = rows[j]!;
        return kept;
      },
    });
    const scheduler = new Scheduler({
      plugins: [gpuOnly],
      profile: { filters: [...new Scheduler().registry.filterNames(), "gpu-only"] },
    });
    expect(scheduler.place(snap, vm("v", { labels: { gpu: "a100" } })).nodeId).toBe("b");
    expect(scanned).toEqual([3]);
    expect(() => scheduler.place(snap, vm("w", { labels: { gpu: "h100" } }))).toThrow(/3 no h100 gpu/);
    expect(scheduler.check(snap, vm("v", { labels: { gpu: "a100" } }), "a")).toEqual(["no a100 gpu"]);
  });

  it("types a third-party filter's reasons as it declares them, per plugin or per rejection", () => {
    const snap = new ClusterSnapshot({ nodes: [node("a", { labels: { gen: "1" } })] });
    const plain = defineFilter<undefined>({ name: "plain", filter: () => "plain rule" });
    const declared = defineFilter<undefined>({
      name: "declared",
      rejects: { kind: "host-rule", bindsRunning: false },
      filter: () => "declared rule",
    });
    const perRejection = defineFilter<undefined>({
      name: "per-rejection",
      rejects: { kind: "host-rule", bindsRunning: false },
      filter: (n) =>
        n.labels.gen === "1"
          ? { reason: "first generation", kind: "node-role", bindsRunning: true }
          : "newer",
    });
    const scheduler = new Scheduler({
      plugins: [plain, declared, perRejection],
      profile: { filters: ["plain", "declared", "per-rejection"] },
    });
    expect(scheduler.rejections(snap, vm("v"), "a")).toEqual([
      { plugin: "plain", reason: "plain rule", kind: "other", bindsRunning: true },
      { plugin: "declared", reason: "declared rule", kind: "host-rule", bindsRunning: false },
      { plugin: "per-rejection", reason: "first generation", kind: "node-role", bindsRunning: true },
    ]);
    expect(scheduler.check(snap, vm("v"), "a")).toEqual(["plain rule", "declared rule", "first generation"]);
  });

  it("lets a third-party score registered by name with a weight change the outcome", () => {
    const snap = new ClusterSnapshot({ nodes: [node("a"), node("z")] });
    const lastByName = defineScore<undefined>({
      name: "last-by-name",
      score: (n) => (n.id === "z" ? 100 : 0),
    });
    const scheduler = new Scheduler({ plugins: [lastByName], profile: { scores: { "last-by-name": 10 } } });
    expect(scheduler.place(snap, vm("v")).nodeId).toBe("z");
  });

  it("rejects a profile naming an unknown plugin or a negative weight", () => {
    expect(() => new Scheduler({ profile: { filters: ["nope"] } })).toThrow(/unknown filter "nope"/);
    expect(() => new Scheduler({ profile: { scores: { balanced: -1 } } })).toThrow(
      /profile.scores.balanced must be a finite weight/,
    );
    expect(() => new Scheduler({ profile: { percentageOfNodesToScore: 0 } })).toThrow(
      /percentageOfNodesToScore/,
    );
  });

  it("refuses a third-party plugin whose name is taken", () => {
    const clash = defineFilter<undefined>({ name: "capacity", filter: () => undefined });
    expect(() => new Scheduler({ plugins: [clash] })).toThrow(/scheduler plugin "capacity" already exists/);
  });

  it("check lists every rule a move would break and nothing for a legal one", () => {
    const snap = new ClusterSnapshot({ nodes: [node("a", { cordoned: true, memoryMib: 1024 }), node("b")] });
    const v: VirtualMachine = vm("v", { memoryMib: 4096 });
    expect(new Scheduler().check(snap, v, "a")).toEqual(["cordoned", "insufficient memory (need 4096 MiB)"]);
    expect(new Scheduler().check(snap, v, "b")).toEqual([]);
    expect(new Scheduler().check(snap, v, "ghost")).toEqual(["node ghost is not in the snapshot"]);
  });

  it("rejections types a node missing from the snapshot as its state, binding nothing", () => {
    const snap = new ClusterSnapshot({ nodes: [node("a")] });
    expect(new Scheduler().rejections(snap, vm("v"), "ghost")).toEqual([
      {
        plugin: "snapshot",
        reason: "node ghost is not in the snapshot",
        kind: "node-state",
        bindsRunning: false,
      },
    ]);
  });

  it("stops scanning once it has enough feasible nodes in a large cluster but still finds a lone fit", () => {
    const nodes = Array.from({ length: 400 }, (_, i) =>
      node(`n${String(i).padStart(3, "0")}`, { cordoned: i !== 123 }),
    );
    const snap = new ClusterSnapshot({ nodes });
    const p = new Scheduler().place(snap, vm("v"));
    expect(p.nodeId).toBe("n123");
    expect(p.feasibleNodes).toBe(1);
    const open = new ClusterSnapshot({
      nodes: nodes.map((n) => ({ ...n, spec: { ...n.spec, cordoned: false } })),
    });
    expect(new Scheduler().place(open, vm("v")).evaluatedNodes).toBeLessThan(400);
    expect(
      new Scheduler({ profile: { percentageOfNodesToScore: 100 } }).place(open, vm("v")).evaluatedNodes,
    ).toBe(400);
  });
});
