import {
  isDomainError,
  type LabelSelector,
  parseLabelSelector,
  type Taint,
  type Toleration,
  type VirtualMachine,
  type VmAffinityTerm,
} from "@limiquantix/domain";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cluster, network, node, pool, vm, volume } from "../test/builders";
import { referencePlace } from "../test/reference-placement";
import { BUILTIN_FILTERS } from "./filters/index";
import type { FilterPlugin, ScorePlugin } from "./framework/plugin";
import { PRESETS, type ProfileConfig } from "./framework/profile";
import type { Placement } from "./placement";
import { Scheduler } from "./scheduler";
import { BUILTIN_SCORES } from "./scores/index";
import { ClusterSnapshot } from "./snapshot/cluster-snapshot";

// The scheduler scans and scores over the snapshot's columns (`filterColumns`, `scoreColumns`).
// These properties pin that it decides exactly as the node-by-node placement it replaced
// (test/reference-placement.ts), and so does its path for plugins without column forms: the
// built-ins stripped of theirs, registered under other names, on the same snapshot.

const PLAIN = "plain-";
const plainFilters: FilterPlugin[] = BUILTIN_FILTERS.map((p) => ({
  name: PLAIN + p.name,
  rejects: p.rejects,
  prepare: p.prepare,
  filter: p.filter,
}));
const plainScores: ScorePlugin[] = BUILTIN_SCORES.map((p) => ({
  name: PLAIN + p.name,
  prepare: p.prepare,
  score: p.score,
  normalize: p.normalize,
}));

interface Setup {
  readonly preset: "spread" | "pack" | "balance";
  readonly weights: Readonly<Record<string, number>>;
  readonly seed: string | undefined;
  readonly percentage: number | undefined;
}

interface Deciders {
  readonly columns: Scheduler;
  readonly plain: Scheduler;
  readonly reference: ProfileConfig;
}

function deciders(s: Setup): Deciders {
  const scores: Record<string, number> = {};
  const plain: Record<string, number> = {};
  for (const [name, w] of Object.entries({ ...PRESETS[s.preset].scores, ...s.weights })) {
    scores[name] = w;
    plain[name] = 0;
  }
  for (const [name, w] of Object.entries(scores)) plain[PLAIN + name] = w;
  const common = { preset: s.preset, seed: s.seed, percentageOfNodesToScore: s.percentage };
  return {
    columns: new Scheduler({ profile: { ...common, scores } }),
    plain: new Scheduler({
      plugins: [...plainFilters, ...plainScores],
      profile: { ...common, filters: PRESETS[s.preset].filters.map((f) => PLAIN + f), scores: plain },
    }),
    reference: { ...common, scores },
  };
}

/** outcome is what a placement decided, with plugin names as the built-ins spell them. */
function outcome(run: () => Placement): unknown {
  try {
    const p = run();
    return {
      nodeId: p.nodeId,
      score: p.score,
      evaluated: p.evaluatedNodes,
      feasible: p.feasibleNodes,
      candidates: p.candidates?.map((c) => ({
        ...c,
        scores: Object.fromEntries(Object.entries(c.scores).map(([k, v]) => [k.replace(PLAIN, ""), v])),
      })),
    };
  } catch (e) {
    if (!isDomainError(e)) throw e;
    const details = JSON.parse(JSON.stringify(e.details ?? {}).replaceAll(`"${PLAIN}`, '"'));
    return { code: e.code, message: e.message, details };
  }
}

const ZONES = ["a", "b", "c"] as const;
const taintArb: fc.Arbitrary<Taint> = fc.record({
  key: fc.constantFrom("dedicated", "old", "gpu"),
  value: fc.constantFrom("", "gpu", "x"),
  effect: fc.constantFrom("NoSchedule", "PreferNoSchedule", "NoExecute"),
});
const tolerationArb: fc.Arbitrary<Toleration> = fc.oneof(
  fc.record({
    key: fc.constantFrom("dedicated", "old", "gpu"),
    operator: fc.constantFrom("Equal" as const, "Exists" as const),
    value: fc.constantFrom("", "gpu", "x"),
    effect: fc.option(
      fc.constantFrom("NoSchedule" as const, "PreferNoSchedule" as const, "NoExecute" as const),
      {
        nil: undefined,
      },
    ),
  }),
  fc.constant<Toleration>({ operator: "Exists", value: "" }),
);
const selectorArb: fc.Arbitrary<LabelSelector> = fc
  .constantFrom(
    "",
    "zone=a",
    "zone!=b",
    "tier in (gold)",
    "tier in (gold,silver,bronze)",
    "tier notin (gold)",
    "zone",
    "!zone",
    "rack",
    "zone=a,tier=silver",
    "rack notin (r1,r2)",
    "zone=nowhere",
  )
  .map(parseLabelSelector);
const termArb: fc.Arbitrary<VmAffinityTerm> = fc.record({
  selector: fc
    .constantFrom("app=web", "app=db", "app in (db,cache)", "app")
    .map((s) => [...parseLabelSelector(s)]),
  topologyKey: fc.constantFrom("node", "zone", "rack"),
  weight: fc.integer({ min: 1, max: 100 }),
});
const hostRuleArb = fc.record({
  nodeSelector: fc.constantFrom("tier=gold", "zone in (a,b)", "rack", "!rack").map(parseLabelSelector),
  type: fc.constantFrom("run-on" as const, "not-run-on" as const),
  enforcement: fc.constantFrom("must" as const, "should" as const),
  weight: fc.integer({ min: 1, max: 100 }),
});

// Each rule is rare on its own, so most requests fit somewhere and a few fit nowhere.
const rare = <T>(arb: fc.Arbitrary<T[]>, empty: T[] = []): fc.Arbitrary<T[]> =>
  fc.oneof({ weight: 3, arbitrary: fc.constant(empty) }, { weight: 1, arbitrary: arb });

const nodeArb = fc.record({
  zone: fc.option(fc.constantFrom(...ZONES), { nil: undefined, freq: 6 }),
  tier: fc.constantFrom("gold", "silver", "bronze"),
  rack: fc.option(fc.constantFrom("r1", "r2", "r3", "r4"), { nil: undefined }),
  // Mostly a few sizes, so equally scored nodes (and the tie-break) are common.
  vcpus: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(8, 16) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 32 }) },
  ),
  memoryMib: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(16_384, 32_768) },
    { weight: 1, arbitrary: fc.integer({ min: 1024, max: 65_536 }) },
  ),
  phase: fc.constantFrom("READY", "READY", "READY", "READY", "NOT_READY", "MAINTENANCE"),
  cordoned: fc.integer({ min: 0, max: 7 }).map((x) => x === 0),
  storageOnly: fc.integer({ min: 0, max: 11 }).map((x) => x === 0),
  taints: rare(fc.array(taintArb, { minLength: 1, maxLength: 2 })),
  clusterId: fc.constantFrom(undefined, "c1", "c2"),
  reachesPool: fc.boolean(),
  carriesNetwork: fc.boolean(),
});
type NodeSpec = typeof nodeArb extends fc.Arbitrary<infer T> ? T : never;

const requestArb = fc.record({
  app: fc.constantFrom("web", "db", "cache"),
  vcpus: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 24 })),
  memoryMib: fc.oneof(fc.integer({ min: 512, max: 4096 }), fc.integer({ min: 512, max: 48_000 })),
  selector: fc.oneof({ weight: 2, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: selectorArb }),
  tolerations: rare(fc.array(tolerationArb, { minLength: 1, maxLength: 2 })),
  antiRequired: rare(fc.array(termArb, { minLength: 1, maxLength: 2 })),
  antiPreferred: rare(fc.array(termArb, { minLength: 1, maxLength: 2 })),
  affinityRequired: rare(fc.array(termArb, { minLength: 1, maxLength: 1 })),
  affinityPreferred: rare(fc.array(termArb, { minLength: 1, maxLength: 2 })),
  hostRules: rare(fc.array(hostRuleArb, { minLength: 1, maxLength: 2 })),
  disks: rare(fc.subarray(["v-all", "v-some"], { minLength: 1 })),
  nics: rare(fc.subarray(["net-all", "net-some"], { minLength: 1 })),
});
type Request = typeof requestArb extends fc.Arbitrary<infer T> ? T : never;

function nodeOf(i: number, o: NodeSpec) {
  const labels: Record<string, string> = { tier: o.tier };
  if (o.zone !== undefined) labels.zone = o.zone;
  if (o.rack !== undefined) labels.rack = o.rack;
  return node(`n${String(i).padStart(3, "0")}`, {
    labels,
    vcpus: o.vcpus,
    memoryMib: o.memoryMib,
    phase: o.phase as "READY",
    cordoned: o.cordoned,
    roles: o.storageOnly ? ["storage"] : ["compute"],
    taints: o.taints.filter(
      (t, k, all) => all.findIndex((u) => u.key === t.key && u.effect === t.effect) === k,
    ),
    clusterId: o.clusterId,
  });
}

function vmOf(id: string, r: Request, nodeId?: string): VirtualMachine {
  return vm(id, {
    labels: { app: r.app },
    vcpus: r.vcpus,
    memoryMib: r.memoryMib,
    nodeId,
    spec: {
      nodeSelector: r.selector,
      tolerations: r.tolerations,
      affinity: {
        vmAntiAffinity: { required: r.antiRequired, preferred: r.antiPreferred },
        vmAffinity: { required: r.affinityRequired, preferred: r.affinityPreferred },
        hostRules: r.hostRules,
      },
      disks: r.disks.map((volumeId, k) => ({ name: `d${k}`, volumeId })),
      nics: r.nics.map((networkId, k) => ({ name: `nic${k}`, networkId })),
    },
  });
}

const setupArb: fc.Arbitrary<Setup> = fc.record({
  preset: fc.constantFrom("spread" as const, "pack" as const, "balance" as const),
  weights: fc.dictionary(
    fc.constantFrom(...BUILTIN_SCORES.map((s) => s.name)),
    fc.constantFrom(0, 1, 2, 3, 0.5),
    { maxKeys: 3 },
  ),
  seed: fc.option(fc.string({ maxLength: 4 }), { nil: undefined }),
  percentage: fc.constantFrom(undefined, undefined, 100, 5, 30),
});

const stepArb = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("place" as const),
      request: requestArb,
      moving: fc.option(fc.nat(), { nil: undefined }),
      exclude: rare(fc.array(fc.nat(), { minLength: 1, maxLength: 3 })),
      candidates: fc.constantFrom(0, 0, 3),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("node" as const), at: fc.nat(), spec: nodeArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("remove-node" as const), at: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("overcommit" as const), cpu: fc.constantFrom(1, 1.5, 4) }),
  },
);

const scenarioArb = fc
  .oneof(
    { weight: 4, arbitrary: fc.integer({ min: 1, max: 24 }) },
    { weight: 1, arbitrary: fc.integer({ min: 100, max: 180 }) },
  )
  .chain((n) =>
    fc.record({
      setup: setupArb,
      nodes: fc.array(nodeArb, { minLength: n, maxLength: n }),
      existing: fc.array(fc.record({ at: fc.nat(n - 1), request: requestArb, placed: fc.boolean() }), {
        maxLength: 16,
      }),
      steps: fc.array(stepArb, { minLength: 1, maxLength: 8 }),
    }),
  );

describe("placement over the snapshot's columns", () => {
  it("chooses the node the node-by-node path chooses, with the same scores, counts and explanations", () => {
    fc.assert(
      fc.property(scenarioArb, ({ setup, nodes: specs, existing, steps }) => {
        const nodes = specs.map((o, i) => nodeOf(i, o));
        const some = (pick: (o: NodeSpec) => boolean) =>
          nodes.filter((_, i) => pick(specs[i]!)).map((n) => n.id);
        const someNodes = some((o) => o.reachesPool);
        const snapshot = new ClusterSnapshot({
          nodes,
          vms: existing.map((e, k) => vmOf(`e${k}`, e.request, e.placed ? nodes[e.at]!.id : undefined)),
          clusters: [cluster("c1", { cpu: 3, memory: 1 })],
          // A pool or network that names no node is everywhere, so "some" names at least one.
          storagePools: [pool("p-all"), pool("p-some", someNodes.length > 0 ? someNodes : ["ghost"])],
          volumes: [volume("v-all", "p-all"), volume("v-some", "p-some")],
          networks: [network("net-all"), network("net-some", [...some((o) => o.carriesNetwork), "ghost"])],
        });
        const { columns, plain, reference } = deciders(setup);
        let seq = 0;
        for (const step of steps) {
          const ids = snapshot.nodes().map((n) => n.id);
          if (step.kind === "node") snapshot.upsertNode(nodeOf(step.at % (ids.length + 2), step.spec));
          else if (step.kind === "remove-node" && ids.length > 0)
            snapshot.removeNode(ids[step.at % ids.length]!);
          else if (step.kind === "overcommit")
            snapshot.upsertCluster(cluster("c1", { cpu: step.cpu, memory: 1.5 }));
          else if (step.kind === "place") {
            const held = [...snapshot.vms()];
            const moving =
              step.moving === undefined || held.length === 0 ? undefined : held[step.moving % held.length];
            const request = moving?.vm ?? vmOf(`r${seq++}`, step.request);
            const options = {
              candidates: step.candidates,
              excludeNodeIds: ids.length === 0 ? [] : step.exclude.map((x) => ids[x % ids.length]!),
            };
            const expected = outcome(() => referencePlace(reference, snapshot, request, options));
            expect(outcome(() => columns.place(snapshot, request, options))).toEqual(expected);
            expect(outcome(() => plain.place(snapshot, request, options))).toEqual(expected);
            const chosen = (expected as { nodeId?: string }).nodeId;
            if (chosen !== undefined) snapshot.reserve(request, chosen);
          }
        }
      }),
      { numRuns: 300, seed: 20260201 },
    );
  });
});
