import type { Labels, Resource } from "../../common";
import type { ListFilter } from "../../ports/list-filter";
import type { NamedRepository } from "../../ports/repository";
import type { Repositories } from "../../ports/unit-of-work";
import { getPath } from "../../resource-support";
import {
  RESOURCE_KINDS,
  RESOURCES,
  type RepositoryKey,
  type RepositoryOf,
  type ResourceKind,
} from "../../resources";
import { fixtures, uniqueSuffix } from "../fixtures";

/** AnyRepository is a repository seen without its kind's types, so one generic suite drives every kind. */
export type AnyRepository = NamedRepository<Resource & { labels: Labels }, unknown, string>;

/** RepoKey names a repository of the Repositories bundle (every one but the audit log). */
export type RepoKey = RepositoryKey;

/** repoOf returns a bundle's repository for a key, typed generically. */
export function repoOf(repos: Repositories, key: RepoKey): AnyRepository {
  return repos[key] as unknown as AnyRepository;
}

/** Input is a create input seen as a plain object. */
export type Input = Record<string, unknown>;

/** SCOPE_LABEL is the label every generic test puts on what it creates, so lists can be scoped to one test. */
export const SCOPE_LABEL = "conformance.limiquantix.io/run";

/** scopeToken returns a fresh value for SCOPE_LABEL. */
export function scopeToken(): string {
  return uniqueSuffix();
}

/** scopeFilter is the list filter that selects what one test created under a token. */
export function scopeFilter(token: string, extra: ListFilter = {}): ListFilter {
  const own =
    typeof extra.labelSelector === "string" && extra.labelSelector !== "" ? `,${extra.labelSelector}` : "";
  return { ...extra, labelSelector: `${SCOPE_LABEL}=${token}${own}` };
}

/** setPath writes a dotted path in a plain object, creating objects along the way. */
export function setPath(target: Input, path: string, value: unknown): void {
  const segs = path.split(".");
  let cur: Record<string, unknown> = target;
  for (const seg of segs.slice(0, -1)) {
    const next = cur[seg];
    if (next === null || typeof next !== "object") cur[seg] = {};
    cur = cur[seg] as Record<string, unknown>;
  }
  cur[segs[segs.length - 1]!] = value;
}

/** clone deep-copies a JSON-like value. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}

/**
 * Parents creates, once each and on demand, the resources other resources point at, so a test's
 * resources refer to real parents (stores may check references) that no other test shares.
 */
export class Parents {
  private readonly memo = new Map<string, Promise<string>>();
  constructor(private readonly repos: Repositories) {}

  private once(key: string, make: () => Promise<string>): Promise<string> {
    let p = this.memo.get(key);
    if (!p) {
      p = make();
      this.memo.set(key, p);
    }
    return p;
  }

  /** projectId is the id of this scope's project. */
  projectId(): Promise<string> {
    return this.once("project", async () => (await this.repos.projects.create(fixtures.project())).id);
  }
  /** clusterId is the id of this scope's cluster. */
  clusterId(): Promise<string> {
    return this.once("cluster", async () => (await this.repos.clusters.create(fixtures.cluster())).id);
  }
  /** nodeId is the id of this scope's node (in its cluster). */
  nodeId(): Promise<string> {
    return this.once("node", async () => {
      const clusterId = await this.clusterId();
      return (await this.repos.nodes.create(fixtures.node({ clusterId }))).id;
    });
  }
  /** poolId is the id of this scope's storage pool. */
  poolId(): Promise<string> {
    return this.once("pool", async () => (await this.repos.storagePools.create(fixtures.storagePool())).id);
  }
  /** vmId is the id of this scope's VM. */
  vmId(): Promise<string> {
    return this.once("vm", async () => {
      const projectId = await this.projectId();
      return (await this.repos.vms.create(fixtures.vm({ projectId }))).id;
    });
  }
  /** volumeId is the id of this scope's volume. */
  volumeId(): Promise<string> {
    return this.once("volume", async () => {
      const projectId = await this.projectId();
      const poolId = await this.poolId();
      return (await this.repos.volumes.create(fixtures.volume({ projectId, spec: { poolId } }))).id;
    });
  }
}

/** KindCase tells the generic suite how to make valid and invalid inputs of one kind. */
export interface KindCase {
  readonly kind: ResourceKind;
  /** Where the kind's repository sits in the bundle (from its row of RESOURCES). */
  readonly key: RepoKey;
  /** A valid create input carrying the labels, with every filterable relation pointing at the scope's parents. */
  input(parents: Parents, labels: Labels): Promise<Input>;
  /** Two valid values of the kind's state filter path, when it has one. */
  readonly states?: readonly [string, string];
  /** Makes an input invalid; `field` is the path the violation must name. */
  readonly invalid: { readonly field: string; apply(input: Input): void };
  /** Whether the repository is a NamedRepository (has findByName). */
  readonly named: boolean;
}

/** CaseOf is what a kind's case adds to its row of RESOURCES; `named` must match its port. */
type CaseOf<K extends ResourceKind> = Omit<KindCase, "kind" | "key" | "named"> & {
  readonly named: RepositoryOf<K> extends { findByName: unknown } ? true : false;
};

const at = "2026-01-01T00:00:00.000Z";

// One case per kind of RESOURCES: a kind without one does not compile.
const CASES: { readonly [K in ResourceKind]: CaseOf<K> } = {
  Project: {
    named: true,
    input: async (_p, labels) => fixtures.project({ labels }),
    invalid: { field: "name", apply: (i) => setPath(i, "name", "Not_A_DNS_Label") },
  },
  Cluster: {
    named: true,
    input: async (_p, labels) => fixtures.cluster({ labels }),
    invalid: {
      field: "spec.drs.migrationThreshold",
      apply: (i) => setPath(i, "spec.drs", { migrationThreshold: 9 }),
    },
  },
  Node: {
    named: true,
    states: ["READY", "NOT_READY"],
    input: async (p, labels) => fixtures.node({ labels, clusterId: await p.clusterId() }),
    invalid: { field: "spec.memoryMib", apply: (i) => setPath(i, "spec.memoryMib", 128) },
  },
  VirtualMachine: {
    named: true,
    states: ["STOPPED", "RUNNING"],
    input: async (p, labels) =>
      fixtures.vm({
        labels,
        projectId: await p.projectId(),
        clusterId: await p.clusterId(),
        status: { nodeId: await p.nodeId() },
      }),
    invalid: { field: "spec.memory.sizeMib", apply: (i) => setPath(i, "spec.memory.sizeMib", 128) },
  },
  VmSnapshot: {
    named: true,
    states: ["CREATING", "READY"],
    input: async (p, labels) =>
      fixtures.vmSnapshot({ labels, projectId: await p.projectId(), vmId: await p.vmId() }),
    invalid: { field: "name", apply: (i) => setPath(i, "name", "") },
  },
  StoragePool: {
    named: true,
    states: ["READY", "DEGRADED"],
    input: async (p, labels) =>
      fixtures.storagePool({ labels, projectId: await p.projectId(), clusterId: await p.clusterId() }),
    invalid: { field: "spec.capacityGib", apply: (i) => setPath(i, "spec.capacityGib", 0) },
  },
  Volume: {
    named: true,
    states: ["AVAILABLE", "IN_USE"],
    input: async (p, labels) =>
      fixtures.volume({
        labels,
        projectId: await p.projectId(),
        spec: { poolId: await p.poolId() },
        status: { phase: "IN_USE", attachment: { vmId: await p.vmId(), attachedAt: at } },
      }),
    invalid: { field: "spec.sizeGib", apply: (i) => setPath(i, "spec.sizeGib", -5) },
  },
  VolumeSnapshot: {
    named: true,
    states: ["CREATING", "READY"],
    input: async (p, labels) =>
      fixtures.volumeSnapshot({ labels, projectId: await p.projectId(), volumeId: await p.volumeId() }),
    invalid: { field: "status.sizeGib", apply: (i) => setPath(i, "status", { sizeGib: -1 }) },
  },
  Image: {
    named: true,
    states: ["PENDING", "READY"],
    input: async (p, labels) => fixtures.image({ labels, projectId: await p.projectId() }),
    invalid: { field: "spec.format", apply: (i) => setPath(i, "spec.format", "VHD") },
  },
  VirtualNetwork: {
    named: true,
    states: ["READY", "PENDING"],
    input: async (p, labels) => fixtures.network({ labels, projectId: await p.projectId() }),
    invalid: { field: "spec.gateway", apply: (i) => setPath(i, "spec.gateway", "192.168.9.1") },
  },
  SecurityGroup: {
    named: true,
    input: async (p, labels) => fixtures.securityGroup({ labels, projectId: await p.projectId() }),
    invalid: {
      field: "spec.rules[0].portRange.from",
      apply: (i) =>
        setPath(i, "spec.rules", [
          { id: "r", direction: "INGRESS", protocol: "TCP", portRange: { from: 0, to: 22 } },
        ]),
    },
  },
  Alert: {
    named: false,
    states: ["OPEN", "ACKNOWLEDGED"],
    input: async (p, labels) =>
      fixtures.alert({ labels, projectId: await p.projectId(), clusterId: await p.clusterId() }),
    invalid: { field: "title", apply: (i) => setPath(i, "title", "") },
  },
  AlertRule: {
    named: true,
    input: async (_p, labels) => fixtures.alertRule({ labels }),
    invalid: { field: "spec.metric", apply: (i) => setPath(i, "spec.metric", "CPU!") },
  },
  DrsRecommendation: {
    named: false,
    states: ["PENDING", "APPROVED"],
    input: async (p, labels) =>
      fixtures.drsRecommendation({
        labels,
        clusterId: await p.clusterId(),
        type: "MIGRATE",
        vmId: await p.vmId(),
        sourceNodeId: "node-source",
        targetNodeId: "node-target",
      }),
    invalid: { field: "reason", apply: (i) => setPath(i, "reason", "") },
  },
  User: {
    named: true,
    input: async (_p, labels) => fixtures.user({ labels }),
    invalid: { field: "email", apply: (i) => setPath(i, "email", "not-an-email") },
  },
  NodeJoinToken: {
    named: true,
    input: async (p, labels) => fixtures.nodeJoinToken({ labels, clusterId: await p.clusterId() }),
    invalid: { field: "maxUses", apply: (i) => setPath(i, "maxUses", 0) },
  },
};

/** KIND_CASES holds one case per stored kind, in the order of RESOURCES. */
export const KIND_CASES: readonly KindCase[] = RESOURCE_KINDS.map(
  (kind): KindCase => ({ kind, key: RESOURCES[kind].repositoryKey, ...CASES[kind] }),
);

/** valueAt reads a dotted path of a stored resource. */
export function valueAt(resource: unknown, path: string): unknown {
  return getPath(resource, path);
}
