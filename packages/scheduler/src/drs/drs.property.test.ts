import type { Node, VirtualMachine } from "@limiquantix/domain";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { node, vm } from "../../test/builders";
import { applyMoves, independentCheck } from "../../test/drs-helpers";
import { Scheduler } from "../scheduler";
import { ClusterSnapshot } from "../snapshot/cluster-snapshot";
import { planDrs } from "./drs-pass";
import type { DrsOptions } from "./drs-types";

const packer = new Scheduler({ profile: { preset: "pack" } });
const scheduler = new Scheduler();

const nodeArb = (i: number) =>
  fc
    .record({
      zone: fc.constantFrom("a", "b"),
      vcpus: fc.integer({ min: 2, max: 16 }),
      memoryMib: fc.integer({ min: 2048, max: 32_768 }),
      cordoned: fc.integer({ min: 0, max: 7 }).map((x) => x === 0),
    })
    .map((o) =>
      node(`n${i}`, {
        labels: { zone: o.zone },
        vcpus: o.vcpus,
        memoryMib: o.memoryMib,
        cordoned: o.cordoned,
      }),
    );

const vmArb = (i: number) =>
  fc
    .record({
      vcpus: fc.integer({ min: 1, max: 4 }),
      memoryMib: fc.integer({ min: 512, max: 8192 }),
      app: fc.constantFrom("web", "db", "cache", "batch"),
      anti: fc.integer({ min: 0, max: 4 }).map((x) => x === 0),
      zoneOnly: fc.constantFrom(undefined, "a", "b"),
    })
    .map((o) =>
      vm(`v${String(i).padStart(2, "0")}`, {
        labels: { app: o.app },
        vcpus: o.vcpus,
        memoryMib: o.memoryMib,
        spec: {
          nodeSelector:
            o.zoneOnly === undefined ? [] : [{ key: "zone", operator: "=", values: [o.zoneOnly] }],
          affinity: o.anti
            ? {
                vmAntiAffinity: {
                  required: [{ selector: [{ key: "app", operator: "=", values: [o.app] }] }],
                },
              }
            : {},
        },
      }),
    );

const clusterArb = fc
  .record({ nodeCount: fc.integer({ min: 2, max: 6 }), vmCount: fc.integer({ min: 0, max: 24 }) })
  .chain(({ nodeCount, vmCount }) =>
    fc.record({
      nodes: fc.tuple(...Array.from({ length: nodeCount }, (_, i) => nodeArb(i))),
      vms: vmCount === 0 ? fc.constant([]) : fc.tuple(...Array.from({ length: vmCount }, (_, i) => vmArb(i))),
      maintenance: fc.integer({ min: -1, max: nodeCount - 1 }),
    }),
  );

/** A skewed start: VMs packed onto as few hosts as the rules allow, by the scheduler itself. */
function packed(c: {
  readonly nodes: readonly Node[];
  readonly vms: readonly VirtualMachine[];
}): ClusterSnapshot {
  const snapshot = new ClusterSnapshot({ nodes: c.nodes });
  for (const v of c.vms) {
    try {
      packer.place(snapshot, v, { reserve: true });
    } catch {
      // A VM no node fits stays out of the cluster.
    }
  }
  return snapshot;
}

function options(threshold: number, maintenance: number): DrsOptions {
  return {
    clusterId: "c1",
    settings: { migrationThreshold: threshold, maxMovesPerPass: 1000 },
    enteringMaintenance: maintenance >= 0 ? [`n${maintenance}`] : [],
    power: { enabled: false },
  };
}

const migrations = (s: ClusterSnapshot, o: DrsOptions) =>
  planDrs(scheduler, s, o).recommendations.filter((r) => r.type === "MIGRATE");

describe("DRS properties", () => {
  it("no recommendation breaks a placement rule or overcommits a host (independent checker)", () => {
    fc.assert(
      fc.property(clusterArb, fc.integer({ min: 1, max: 5 }), (c, threshold) => {
        const snapshot = packed(c);
        const moves = migrations(snapshot, options(threshold, c.maintenance));
        const seen = new Set<string>();
        for (const m of moves) {
          expect(m.targetNodeId).not.toBe(m.sourceNodeId);
          expect(m.targetNodeId).not.toBe(`n${c.maintenance}`);
          expect(seen.has(m.vmId!)).toBe(false);
          seen.add(m.vmId!);
        }
        applyMoves(snapshot, moves);
        expect(independentCheck(c.nodes, snapshot, seen)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it("a higher migration threshold never proposes fewer moves", () => {
    fc.assert(
      fc.property(clusterArb, (c) => {
        const counts = [1, 2, 3, 4, 5].map((t) => migrations(packed(c), options(t, c.maintenance)).length);
        for (let t = 1; t < counts.length; t++) expect(counts[t]!).toBeGreaterThanOrEqual(counts[t - 1]!);
      }),
      { numRuns: 150 },
    );
  });

  it("a second pass over the first pass's result, given its history, proposes nothing", () => {
    fc.assert(
      fc.property(clusterArb, fc.integer({ min: 2, max: 5 }), (c, threshold) => {
        const snapshot = packed(c);
        const o = options(threshold, -1);
        const first = migrations(snapshot, o);
        applyMoves(snapshot, first);
        const history = first.map((m) => ({
          vmId: m.vmId!,
          sourceNodeId: m.sourceNodeId!,
          targetNodeId: m.targetNodeId!,
          at: 0,
        }));
        expect(migrations(snapshot, { ...o, history, now: 1000 })).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it("a VM moved in one pass is not moved back in the next", () => {
    fc.assert(
      fc.property(clusterArb, (c) => {
        const snapshot = packed(c);
        const o = options(5, -1);
        const first = migrations(snapshot, o);
        applyMoves(snapshot, first);
        const history = first.map((m) => ({
          vmId: m.vmId!,
          sourceNodeId: m.sourceNodeId!,
          targetNodeId: m.targetNodeId!,
          at: 0,
        }));
        const moved = new Set(first.map((m) => m.vmId));
        for (const m of migrations(snapshot, { ...o, history, now: 1000 }))
          expect(moved.has(m.vmId)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });
});
