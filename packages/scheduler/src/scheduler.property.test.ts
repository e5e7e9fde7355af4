import {
  hasErrorCode,
  parseLabelSelector,
  type Node,
  type Taint,
  type VirtualMachine,
} from "@limiquantix/domain";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkPlacements } from "../bench/placement-checker";
import { node, vm } from "../test/builders";
import { Scheduler } from "./scheduler";
import { ClusterSnapshot } from "./snapshot/cluster-snapshot";

const zone = fc.constantFrom("a", "b", "c");
const app = fc.constantFrom("web", "db", "cache");
const taint: fc.Arbitrary<Taint> = fc.record({
  key: fc.constantFrom("dedicated", "old"),
  value: fc.constantFrom("", "gpu"),
  effect: fc.constantFrom("NoSchedule", "PreferNoSchedule", "NoExecute"),
});

const nodeArb = (i: number) =>
  fc
    .record({
      zone,
      tier: fc.constantFrom("gold", "silver"),
      vcpus: fc.integer({ min: 1, max: 16 }),
      memoryMib: fc.integer({ min: 1024, max: 32_768 }),
      phase: fc.constantFrom("READY", "READY", "READY", "NOT_READY", "MAINTENANCE"),
      cordoned: fc.boolean(),
      storageOnly: fc.integer({ min: 0, max: 9 }).map((x) => x === 0),
      taints: fc.array(taint, { maxLength: 2 }),
    })
    .map((o) =>
      node(`n${i}`, {
        labels: { zone: o.zone, tier: o.tier },
        vcpus: o.vcpus,
        memoryMib: o.memoryMib,
        phase: o.phase as "READY",
        cordoned: o.cordoned,
        roles: o.storageOnly ? ["storage"] : ["compute"],
        taints: o.taints.filter(
          (t, k, all) => all.findIndex((u) => u.key === t.key && u.effect === t.effect) === k,
        ),
      }),
    );

const term = fc.record({ app, topologyKey: fc.constantFrom("node", "zone") }).map((t) => ({
  selector: [{ key: "app", operator: "=" as const, values: [t.app] }],
  topologyKey: t.topologyKey,
}));

const requestArb = fc.record({
  app,
  vcpus: fc.integer({ min: 1, max: 8 }),
  memoryMib: fc.integer({ min: 512, max: 16_384 }),
  selector: fc.constantFrom("", "zone=a", "zone!=b", "tier in (gold)", "tier notin (gold)", "zone", "!zone"),
  tolerate: fc.boolean(),
  anti: fc.array(term, { maxLength: 2 }),
  affinity: fc.array(term, { maxLength: 1 }),
  hostRule: fc.option(fc.constantFrom("run-on", "not-run-on"), { nil: undefined }),
});

type Request = typeof requestArb extends fc.Arbitrary<infer R> ? R : never;

function toVm(id: string, r: Request, nodeId?: string): VirtualMachine {
  return vm(id, {
    labels: { app: r.app },
    vcpus: r.vcpus,
    memoryMib: r.memoryMib,
    nodeId,
    spec: {
      nodeSelector: parseLabelSelector(r.selector),
      tolerations: r.tolerate ? [{ key: "dedicated", operator: "Exists" }] : [],
      affinity: {
        vmAntiAffinity: { required: r.anti },
        vmAffinity: { required: r.affinity },
        hostRules:
          r.hostRule === undefined
            ? []
            : [
                {
                  type: r.hostRule,
                  enforcement: "must",
                  nodeSelector: [{ key: "tier", operator: "=", values: ["gold"] }],
                },
              ],
      },
    },
  });
}

const clusterArb = fc.integer({ min: 1, max: 10 }).chain((n) =>
  fc.record({
    nodes: fc.tuple(...Array.from({ length: n }, (_, i) => nodeArb(i))),
    existing: fc.array(fc.record({ at: fc.nat(n - 1), req: requestArb }), { maxLength: 12 }),
    request: requestArb,
  }),
);

function violationsOn(
  nodes: readonly Node[],
  existing: VirtualMachine[],
  candidate: VirtualMachine,
  nodeId: string,
): string[] {
  const placed = { ...candidate, status: { ...candidate.status, nodeId } };
  // Only what concerns the candidate or its node counts: the random existing VMs may break rules among themselves.
  return checkPlacements({
    nodes,
    vms: [...existing, placed],
    placedIds: new Set([placed.id]),
    overcommit: { cpu: 2, memory: 1.5 },
  })
    .filter((v) => v.subject === placed.name || v.subject === nodeId)
    .map((v) => v.rule);
}

function overcommittedBefore(nodes: readonly Node[], existing: VirtualMachine[]): Set<string> {
  const bad = checkPlacements({
    nodes,
    vms: existing,
    placedIds: new Set(),
    overcommit: { cpu: 2, memory: 1.5 },
  });
  return new Set(bad.map((v) => v.subject));
}

describe("placement properties", () => {
  it("never places a VM where it breaks a hard rule or capacity, and calls it unplaceable only when no node passes", () => {
    fc.assert(
      fc.property(
        clusterArb,
        fc.constantFrom("spread", "pack", "balance"),
        ({ nodes, existing, request }, preset) => {
          const vms = existing.map((e, k) => toVm(`e${k}`, e.req, `n${e.at}`));
          const candidate = toVm("new", request);
          const snap = new ClusterSnapshot({ nodes, vms });
          const preBroken = overcommittedBefore(nodes, vms);
          try {
            const p = new Scheduler({ profile: { preset: preset as "spread" } }).place(snap, candidate);
            expect(violationsOn(nodes, vms, candidate, p.nodeId)).toEqual([]);
          } catch (e) {
            if (!hasErrorCode(e, "ResourceExhausted")) throw e;
            for (const n of nodes) {
              const found = violationsOn(nodes, vms, candidate, n.id);
              // A node already over capacity before the request fails the capacity filter too.
              expect(found.length > 0 || preBroken.has(n.id)).toBe(true);
            }
          }
        },
      ),
      { numRuns: 300, seed: 20260101 },
    );
  });

  it("keeps every member of a batch within capacity and hard rules", () => {
    fc.assert(
      fc.property(clusterArb, fc.array(requestArb, { minLength: 1, maxLength: 6 }), ({ nodes }, batch) => {
        const snap = new ClusterSnapshot({ nodes });
        const vms = batch.map((r, k) => toVm(`b${k}`, r));
        const result = new Scheduler().placeBatch(snap, vms, { atomic: false });
        const placed = result.placements.map((p) => {
          const v = vms.find((x) => x.id === p.vmId)!;
          return { ...v, status: { ...v.status, nodeId: p.nodeId } };
        });
        const violations = checkPlacements({
          nodes,
          vms: placed,
          placedIds: new Set(placed.map((v) => v.id)),
          overcommit: { cpu: 2, memory: 1.5 },
        });
        expect(violations).toEqual([]);
        expect(result.placements.length + result.failures.length).toBe(vms.length);
      }),
      { numRuns: 200, seed: 20260102 },
    );
  });
});
