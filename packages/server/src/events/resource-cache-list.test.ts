import {
  type ChangeLog,
  type ListFilter,
  NODE_PHASES,
  type Node,
  type NodePhase,
  POWER_STATES,
  type Page,
  type PageRequest,
  type PowerState,
  type Repositories,
  type VirtualMachine,
} from "@limiquantix/domain";
import { fixtures } from "@limiquantix/domain/conformance";
import { createMemoryAdapters } from "@limiquantix/repo-memory";
import { createPgliteStore } from "@limiquantix/repo-postgres";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChangeRelay } from "./change-relay";
import { ResourceCache } from "./resource-cache";

/** rng is a small seeded generator (mulberry32), so a failing case can be replayed from its seed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PROJECTS = ["p-a", "p-b", "p-c"];
const CLUSTERS = ["c-a", "c-b"];
const NODE_IDS = ["n-1", "n-2", "n-3", "N-4"];
const LABELS: Record<string, readonly string[]> = {
  env: ["prod", "dev"],
  tier: ["web", "db", "cache"],
  zone: ["a", "b"],
};
const ID_CHARS = "abcXYZ019._-";

interface Backend {
  readonly repos: Repositories;
  readonly changeLog: ChangeLog;
  close(): Promise<void>;
}

const BACKENDS: [string, () => Promise<Backend>][] = [
  [
    "memory",
    async () => {
      const m = createMemoryAdapters();
      return { repos: m.repositories, changeLog: m.changeLog, close: async () => undefined };
    },
  ],
  [
    "PGlite",
    async () => {
      const s = await createPgliteStore({ migrate: true });
      return { repos: s.repos, changeLog: s.changeLog, close: () => s.close() };
    },
  ],
];

function generators(r: () => number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const maybe = <T>(p: number, f: () => T): T | undefined => (r() < p ? f() : undefined);
  const subset = <T>(xs: readonly T[]): T[] => xs.filter(() => r() < 0.35);
  const labels = (): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [k, vs] of Object.entries(LABELS)) if (r() < 0.6) out[k] = pick(vs);
    return out;
  };
  const ids = new Set<string>();
  const id = (): string => {
    for (;;) {
      let s = pick([..."abXZ09"]);
      const n = 1 + Math.floor(r() * 6);
      for (let i = 0; i < n; i++) s += pick([...ID_CHARS]);
      if (!ids.has(s)) {
        ids.add(s);
        return s;
      }
    }
  };
  const requirement = (): string => {
    const key = pick(Object.keys(LABELS));
    const values = LABELS[key]!;
    switch (pick(["=", "!=", "in", "notin", "exists", "!exists"])) {
      case "=":
        return `${key}=${pick(values)}`;
      case "!=":
        return `${key}!=${pick(values)}`;
      case "in":
        return `${key} in (${[pick(values), pick(values)].join(",")})`;
      case "notin":
        return `${key} notin (${pick(values)})`;
      case "exists":
        return key;
      default:
        return `!${key}`;
    }
  };
  const selector = () => Array.from({ length: 1 + Math.floor(r() * 2) }, requirement).join(",");
  const page = (): PageRequest => {
    const limit = pick([undefined, 1, 2, 3, 7, 25, 1000]);
    return limit === undefined ? {} : { limit };
  };
  const vmFilter = (): ListFilter<PowerState> => {
    const f = {
      projectId: maybe(0.3, () => pick(PROJECTS)),
      clusterId: maybe(0.25, () => pick(CLUSTERS)),
      nodeId: maybe(0.25, () => pick(NODE_IDS)),
      states: maybe(0.3, () => subset(POWER_STATES)),
      labelSelector: maybe(0.5, selector),
    };
    return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined));
  };
  const nodeFilter = (): ListFilter<NodePhase> => {
    const f = {
      clusterId: maybe(0.3, () => pick(CLUSTERS)),
      states: maybe(0.3, () => subset(NODE_PHASES)),
      labelSelector: maybe(0.5, selector),
    };
    return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined));
  };
  return { pick, maybe, labels, id, page, vmFilter, nodeFilter };
}

/** populate stores random nodes and VMs, then changes and deletes some, so the copy follows every kind of change. */
async function populate(repos: Repositories, r: () => number): Promise<void> {
  const g = generators(r);
  for (const id of PROJECTS) await repos.projects.create(fixtures.project({ id, name: id }));
  for (const id of CLUSTERS) await repos.clusters.create(fixtures.cluster({ id, name: id.toLowerCase() }));
  const nodes: Node[] = [];
  for (const id of [...NODE_IDS, ...Array.from({ length: 26 }, g.id)]) {
    const clusterId = g.maybe(0.8, () => g.pick(CLUSTERS));
    nodes.push(
      await repos.nodes.create(
        fixtures.node({
          id,
          labels: g.labels(),
          status: { phase: g.pick(NODE_PHASES) },
          ...(clusterId ? { clusterId } : {}),
        }),
      ),
    );
  }
  const vms: VirtualMachine[] = [];
  for (let i = 0; i < 120; i++) {
    const clusterId = g.maybe(0.7, () => g.pick(CLUSTERS));
    const nodeId = g.maybe(0.7, () => g.pick(NODE_IDS));
    vms.push(
      await repos.vms.create(
        fixtures.vm({
          id: g.id(),
          projectId: g.pick(PROJECTS),
          labels: g.labels(),
          status: { powerState: g.pick(POWER_STATES), ...(nodeId ? { nodeId } : {}) },
          ...(clusterId ? { clusterId } : {}),
        }),
      ),
    );
  }
  for (const vm of vms) {
    const roll = r();
    if (roll < 0.15) await repos.vms.delete(vm.id);
    else if (roll < 0.35) await repos.vms.update({ ...vm, labels: g.labels() });
    else if (roll < 0.5)
      await repos.vms.updateStatus(vm.id, { ...vm.status, powerState: g.pick(POWER_STATES) });
  }
  for (const node of nodes.slice(NODE_IDS.length)) {
    const roll = r();
    if (roll < 0.15) await repos.nodes.delete(node.id);
    else if (roll < 0.4) await repos.nodes.update({ ...node, labels: g.labels() });
  }
}

type Lister<T, F> = (filter: F, page: PageRequest) => Promise<Page<T>>;

/** walk lists every page of a filter through `lead`, and asks `other` for each page with the same cursor. */
async function samePages<T, F>(
  lead: Lister<T, F>,
  other: Lister<T, F>,
  filter: F,
  page: PageRequest,
  maxPages = 12,
) {
  let cursor: string | undefined;
  let pages = 0;
  do {
    const req = cursor === undefined ? page : { ...page, cursor };
    const want = await lead(filter, req);
    const got = await other(filter, req);
    expect(got, `page ${pages} of ${JSON.stringify({ filter, req })}`).toEqual(want);
    cursor = want.nextCursor;
    pages++;
  } while (cursor && pages < maxPages);
}

describe.each(BACKENDS)("ResourceCache lists on %s", (_name, open) => {
  let backend: Backend;
  let relay: ChangeRelay;
  let cache: ResourceCache;

  beforeAll(async () => {
    backend = await open();
    relay = new ChangeRelay(backend.changeLog, pino({ level: "silent" }));
    cache = new ResourceCache(relay, backend.repos);
    relay.subscribe(cache);
    // The copy starts empty at the log's head and learns everything from the relay.
    await relay.start(await backend.changeLog.head());
    await populate(backend.repos, rng(20261130));
  }, 60_000);

  afterAll(async () => {
    await relay?.stop();
    await backend?.close();
  });

  it("pages VMs exactly as the repository does, for random filters and page sizes", async () => {
    const g = generators(rng(7));
    const repo: Lister<VirtualMachine, ListFilter<PowerState>> = (f, p) => backend.repos.vms.list(f, p);
    const copy: Lister<VirtualMachine, ListFilter<PowerState>> = (f, p) => cache.vms(f, p);
    expect((await copy({}, { limit: 1000 })).total).toBeGreaterThan(80);
    for (let i = 0; i < 60; i++) await samePages(repo, copy, g.vmFilter(), g.page());
  }, 60_000);

  it("pages nodes exactly as the repository does, for random filters and page sizes", async () => {
    const g = generators(rng(11));
    const repo: Lister<Node, ListFilter<NodePhase>> = (f, p) => backend.repos.nodes.list(f, p);
    const copy: Lister<Node, ListFilter<NodePhase>> = (f, p) => cache.nodes(f, p);
    for (let i = 0; i < 40; i++) await samePages(repo, copy, g.nodeFilter(), g.page());
  }, 60_000);

  it("continues on either path from a cursor the other made", async () => {
    const g = generators(rng(13));
    const repo: Lister<VirtualMachine, ListFilter<PowerState>> = (f, p) => backend.repos.vms.list(f, p);
    const copy: Lister<VirtualMachine, ListFilter<PowerState>> = (f, p) => cache.vms(f, p);
    for (let i = 0; i < 20; i++) {
      const filter = g.vmFilter();
      const limit = g.pick([1, 2, 5]);
      // Alternate the path page by page; the pages must be those of either path alone.
      const all = await repo(filter, { limit: 1000 });
      const seen: VirtualMachine[] = [];
      let cursor: string | undefined;
      let turn = i % 2;
      do {
        const req = cursor === undefined ? { limit } : { limit, cursor };
        const got = await (turn++ % 2 === 0 ? copy : repo)(filter, req);
        expect(got.total).toBe(all.total);
        seen.push(...got.items);
        cursor = got.nextCursor;
      } while (cursor);
      expect(seen).toEqual(all.items);
    }
  }, 60_000);

  it("keeps totals and pages right while resources change between lists", async () => {
    const r = rng(17);
    const g = generators(r);
    const filters = Array.from({ length: 10 }, g.vmFilter);
    const repo: Lister<VirtualMachine, ListFilter<PowerState>> = (f, p) => backend.repos.vms.list(f, p);
    const copy: Lister<VirtualMachine, ListFilter<PowerState>> = (f, p) => cache.vms(f, p);
    for (let round = 0; round < 12; round++) {
      const { items } = await backend.repos.vms.list({}, { limit: 1000 });
      for (let w = 0; w < 6; w++) {
        const vm = g.pick(items);
        const roll = r();
        if (roll < 0.25)
          await backend.repos.vms.create(
            fixtures.vm({ id: g.id(), projectId: g.pick(PROJECTS), labels: g.labels() }),
          );
        else if (roll < 0.45) await backend.repos.vms.delete(vm.id).catch(() => undefined);
        else if (roll < 0.75)
          await backend.repos.vms.update({ ...vm, labels: g.labels() }).catch(() => undefined);
        else
          await backend.repos.vms
            .updateStatus(vm.id, { ...vm.status, powerState: g.pick(POWER_STATES) })
            .catch(() => undefined);
      }
      for (const filter of filters) await samePages(repo, copy, filter, { limit: 4 }, 3);
    }
  }, 60_000);

  it("refuses what the repository refuses, with the same error", async () => {
    const nodeCursor = (await backend.repos.nodes.list({}, { limit: 1 })).nextCursor!;
    const cases: [ListFilter<PowerState>, PageRequest][] = [
      [{ vmId: "x" }, {}],
      [{ labelSelector: "env in (" }, {}],
      [{}, { limit: 0 }],
      [{}, { limit: 1001 }],
      [{}, { cursor: "not-a-cursor" }],
      [{}, { cursor: nodeCursor }],
    ];
    for (const [filter, page] of cases) {
      const want = await backend.repos.vms.list(filter, page).catch((e: unknown) => e);
      const got = await cache.vms(filter, page).catch((e: unknown) => e);
      expect(want).toBeInstanceOf(Error);
      expect(got).toEqual(want);
    }
    const want = await backend.repos.nodes.list({ projectId: "p-a" }).catch((e: unknown) => e);
    expect(await cache.nodes({ projectId: "p-a" }).catch((e: unknown) => e)).toEqual(want);
  });
});
