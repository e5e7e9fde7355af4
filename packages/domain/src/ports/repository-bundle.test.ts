import { describe, expect, it } from "vitest";
import type { Resource } from "../common";
import { RESOURCE_KINDS, RESOURCES, type ResourceKind } from "../resources";
import { AuditRepository } from "./audit-repository";
import type { PortBinder } from "./port-binder";
import type { NamedRepository } from "./repository";
import { assembleRepositories, bindRepositories, type RepositoryOverrides } from "./repository-bundle";
import { Repositories } from "./unit-of-work";

// Stand-ins: the bundle code only places and binds objects, it never calls them.
const stub = <T>(tag: Record<string, string>): T => tag as unknown as T;

const overrides: RepositoryOverrides<string> = {
  Node: (ctx) => stub({ own: "Node", ctx }),
  VirtualMachine: (ctx) => stub({ own: "VirtualMachine", ctx }),
  Volume: (ctx) => stub({ own: "Volume", ctx }),
  Alert: (ctx) => stub({ own: "Alert", ctx }),
  User: (ctx) => stub({ own: "User", ctx }),
  SecurityGroup: (ctx) => stub({ own: "SecurityGroup", ctx }),
};

function assemble(): Repositories {
  return assembleRepositories(
    {
      overrides,
      generic: (kind: ResourceKind, ctx: string) =>
        stub<NamedRepository<Resource, never>>({ generic: kind, ctx }),
      audit: (ctx) => stub({ audit: "yes", ctx }),
    },
    "tx-1",
  );
}

describe("assembleRepositories", () => {
  it("puts one repository per kind under its repositoryKey, plus the audit log", () => {
    const repos = assemble();
    expect(Object.keys(repos).sort()).toEqual(
      [...RESOURCE_KINDS.map((k) => RESOURCES[k].repositoryKey), "audit"].sort(),
    );
    expect(repos.audit).toEqual({ audit: "yes", ctx: "tx-1" });
  });

  it("uses an override where the adapter has one and its generic repository elsewhere, over one context", () => {
    const repos = assemble() as unknown as Record<string, Record<string, string>>;
    expect(repos.nodes).toEqual({ own: "Node", ctx: "tx-1" });
    expect(repos.securityGroups).toEqual({ own: "SecurityGroup", ctx: "tx-1" });
    expect(repos.vmSnapshots).toEqual({ generic: "VmSnapshot", ctx: "tx-1" });
    expect(repos.projects).toEqual({ generic: "Project", ctx: "tx-1" });
  });
});

describe("RepositoryOverrides", () => {
  it("requires an override for every kind whose port adds methods to the generic repository", () => {
    const { Node: _node, ...withoutNode } = overrides;
    // @ts-expect-error NodeRepository adds listSchedulable and more: the adapter must build it itself.
    const missing: RepositoryOverrides<string> = withoutNode;
    expect(Object.keys(missing)).not.toContain("Node");
  });
});

describe("bindRepositories", () => {
  it("binds the bundle, every kind's port to its repository and the audit log", () => {
    const bound = new Map<symbol, unknown>();
    const binder: PortBinder = { bind: (id, value) => void bound.set(id, value) };
    const repos = assemble();
    bindRepositories(binder, repos);
    expect(bound.get(Repositories)).toBe(repos);
    expect(bound.get(AuditRepository)).toBe(repos.audit);
    for (const kind of RESOURCE_KINDS)
      expect(bound.get(RESOURCES[kind].port), kind).toBe(repos[RESOURCES[kind].repositoryKey]);
    expect(bound.get(Symbol.for("limiquantix.VmRepository"))).toBe(repos.vms);
    expect(bound.size).toBe(RESOURCE_KINDS.length + 2);
  });
});
