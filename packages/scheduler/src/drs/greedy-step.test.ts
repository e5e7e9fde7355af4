import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { node, vm } from "../../test/builders";
import { Scheduler } from "../scheduler";
import { ClusterSnapshot } from "../snapshot/cluster-snapshot";
import { type Candidate, CandidateSearch, HostRanking } from "./greedy-step";
import { LoadModel } from "./load-model";
import { PassState } from "./pass-state";

const scheduler = new Scheduler();

// The plain definition a greedy step must agree with: every host ranked by a full sort, every
// candidate listed and sorted, the first that passes the filters taken.
function reference(pass: PassState): { sources: number[]; targets: number[]; chosen: Candidate | undefined } {
  const { model, snapshot } = pass;
  const order = Array.from({ length: model.size }, (_, i) => i);
  const heat = order.map((i) => model.heat(i));
  order.sort((a, b) => heat[b]! - heat[a]! || a - b);
  const sources = order.slice(0, 4);
  const targets: number[] = [];
  for (let k = order.length - 1; k >= 0 && targets.length < 8; k--) {
    const id = model.ids[order[k]!]!;
    if (snapshot.node(id)?.schedulable === true && !pass.evacuating.has(id)) targets.push(order[k]!);
  }
  const all: Candidate[] = [];
  for (const s of sources)
    for (const v of snapshot.vmsOn(model.ids[s]!)) {
      if (pass.frozen.has(v.id)) continue;
      for (const t of targets) {
        const benefit = t === s ? 0 : model.benefit(v, s, t);
        if (benefit > 0) all.push({ vm: v, s, t, benefit });
      }
    }
  all.sort(
    (a, b) => b.benefit - a.benefit || (a.vm.id < b.vm.id ? -1 : a.vm.id > b.vm.id ? 1 : 0) || a.t - b.t,
  );
  const chosen = all.find((c) => scheduler.check(snapshot, c.vm.vm, model.ids[c.t]!).length === 0);
  return { sources, targets, chosen };
}

const clusterArb = fc
  .record({ nodeCount: fc.integer({ min: 1, max: 14 }), vmCount: fc.integer({ min: 0, max: 40 }) })
  .chain(({ nodeCount, vmCount }) =>
    fc.record({
      nodes: fc.array(fc.record({ vcpus: fc.constantFrom(8, 16), cordoned: fc.boolean() }), {
        minLength: nodeCount,
        maxLength: nodeCount,
      }),
      vms: fc.array(
        fc.record({
          on: fc.nat(Math.min(2, nodeCount - 1)),
          vcpus: fc.constantFrom(1, 2),
          memoryMib: fc.constantFrom(1024, 2048),
          anti: fc.integer({ min: 0, max: 3 }).map((x) => x === 0),
        }),
        { minLength: vmCount, maxLength: vmCount },
      ),
    }),
  );

describe("greedy balancing step", () => {
  it("ranks hosts and chooses the same move as sorting every host and every candidate", () => {
    fc.assert(
      fc.property(clusterArb, (c) => {
        const nodes = c.nodes.map((n, i) => node(`n${String(i).padStart(2, "0")}`, n));
        const anti = {
          vmAntiAffinity: { required: [{ selector: [{ key: "app", operator: "=", values: ["db"] }] }] },
        };
        const vms = c.vms.map((v, i) =>
          vm(`v${String(i).padStart(2, "0")}`, {
            nodeId: nodes[v.on]!.id,
            vcpus: v.vcpus,
            memoryMib: v.memoryMib,
            labels: { app: v.anti ? "db" : "web" },
            spec: { affinity: v.anti ? anti : {} },
          }),
        );
        const snapshot = new ClusterSnapshot({ nodes, vms });
        const model = new LoadModel(snapshot.nodes(), { cpu: 1, memory: 1 }, { cpu: 0.8, memory: 0.85 });
        const pass = new PassState(scheduler, snapshot, model, "c1", new Set(), []);
        const ranking = new HostRanking(pass);
        const search = new CandidateSearch(pass);
        try {
          for (let step = 0; step < 12; step++) {
            const expected = reference(pass);
            ranking.update();
            expect([...ranking.sources]).toEqual(expected.sources);
            expect([...ranking.targets]).toEqual(expected.targets);
            const chosen = search.firstValid(ranking);
            expect(chosen).toEqual(expected.chosen);
            if (chosen === undefined) break;
            pass.commit(chosen.vm, chosen.t, "LOW", "step");
          }
        } finally {
          pass.revertAll();
        }
      }),
      { numRuns: 150 },
    );
  });
});
