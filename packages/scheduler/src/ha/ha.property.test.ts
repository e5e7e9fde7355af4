import type { Node } from "@limiquantix/domain";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { node, vm } from "../../test/builders";
import { independentCheck, running } from "../../test/drs-helpers";
import { Scheduler } from "../scheduler";
import { ClusterSnapshot } from "../snapshot/cluster-snapshot";
import { checkAdmission, largestHosts } from "./admission-control";
import { planFailover, RESTART_ORDER } from "./failover-plan";

const scheduler = new Scheduler();

const clusterArb = fc
  .record({ nodeCount: fc.integer({ min: 2, max: 6 }), vmCount: fc.integer({ min: 0, max: 20 }) })
  .chain(({ nodeCount, vmCount }) =>
    fc.record({
      nodes: fc.tuple(
        ...Array.from({ length: nodeCount }, (_, i) =>
          fc
            .record({ vcpus: fc.integer({ min: 2, max: 12 }), zone: fc.constantFrom("a", "b") })
            .map((o) =>
              node(`n${i}`, { vcpus: o.vcpus, memoryMib: o.vcpus * 2048, labels: { zone: o.zone } }),
            ),
        ),
      ),
      vms: fc.array(
        fc.record({
          vcpus: fc.integer({ min: 1, max: 4 }),
          priority: fc.constantFrom("high" as const, "medium" as const, "low" as const),
          app: fc.constantFrom("web", "db", "cache"),
          anti: fc.boolean(),
        }),
        { minLength: vmCount, maxLength: vmCount },
      ),
      failed: fc.integer({ min: 1, max: Math.max(1, nodeCount - 1) }),
      newVcpus: fc.integer({ min: 1, max: 6 }),
    }),
  );

interface GeneratedCluster {
  readonly nodes: readonly Node[];
  readonly vms: readonly { vcpus: number; priority: "high" | "medium" | "low"; app: string; anti: boolean }[];
}

function build(c: GeneratedCluster): ClusterSnapshot {
  const snapshot = new ClusterSnapshot({ nodes: c.nodes });
  c.vms.forEach((o, i) => {
    const v = running(
      vm(`v${String(i).padStart(2, "0")}`, {
        labels: { app: o.app },
        vcpus: o.vcpus,
        memoryMib: o.vcpus * 1024,
        spec: o.anti
          ? {
              affinity: {
                vmAntiAffinity: {
                  required: [{ selector: [{ key: "app", operator: "=", values: [o.app] }] }],
                },
              },
            }
          : {},
      }),
      o.priority,
    );
    try {
      scheduler.place(snapshot, v, { reserve: true });
    } catch {
      // Left out of the cluster when nothing fits.
    }
  });
  return snapshot;
}

describe("HA properties", () => {
  it("no failover restart breaks a rule or overcommits, and restarts come in priority order", () => {
    fc.assert(
      fc.property(clusterArb, (c) => {
        const snapshot = build(c);
        const failed = c.nodes.slice(0, c.failed).map((n) => n.id);
        const plan = planFailover(scheduler, snapshot, failed, { keepReservations: true });
        for (let i = 1; i < plan.restarts.length; i++)
          expect(RESTART_ORDER[plan.restarts[i]!.priority]).toBeGreaterThanOrEqual(
            RESTART_ORDER[plan.restarts[i - 1]!.priority],
          );
        const restarted = new Set(plan.restarts.map((r) => r.vmId));
        expect(plan.restarts.every((r) => !failed.includes(r.targetNodeId))).toBe(true);
        // The failed hosts are down: VMs still recorded there hold nothing the checker should count.
        const live = c.nodes.map((n) =>
          failed.includes(n.id)
            ? { ...n, status: { ...n.status, allocatable: { vcpus: 1e6, memoryMib: 1e9 } } }
            : n,
        );
        expect(independentCheck(live, snapshot, restarted)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it("admission control refuses exactly when a failure of the largest host would leave an HA VM without a host", () => {
    fc.assert(
      fc.property(clusterArb, (c) => {
        const snapshot = build(c);
        const candidate = running(vm("zz-new", { vcpus: c.newVcpus, memoryMib: c.newVcpus * 1024 }));
        const decision = checkAdmission(scheduler, snapshot, { kind: "create", vm: candidate });
        let placedAt: string | undefined;
        try {
          placedAt = scheduler.place(snapshot, candidate, { reserve: true }).nodeId;
        } catch {
          expect(decision.admitted).toBe(false);
          return;
        }
        const failed = largestHosts(snapshot, undefined, 1);
        const strands = planFailover(scheduler, snapshot, failed).unplaced.length > 0;
        snapshot.removeVm("zz-new");
        expect(decision.nodeId).toBe(placedAt);
        expect(decision.admitted).toBe(!strands);
      }),
      { numRuns: 150 },
    );
  });
});
