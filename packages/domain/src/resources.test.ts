import { describe, expect, expectTypeOf, it } from "vitest";
import type { NodeRepository, ProjectRepository, VmRepository } from "./ports/repositories";
import type { ResourceEvent, TopicMap } from "./ports/event-bus";
import type { Repositories } from "./ports/unit-of-work";
import type { SpecialRepositoryKind } from "./ports/repository-bundle";
import type { VirtualMachine } from "./entities/virtual-machine";
import type { Volume } from "./entities/storage";
import {
  type RepositoryKey,
  type RepositoryOf,
  RESOURCE_KINDS,
  RESOURCES,
  type ResourceInputOf,
  type ResourceKind,
  type ResourceOf,
  resourceDescriptor,
  type VirtualMachineInput,
} from "./resources";

describe("RESOURCES", () => {
  it("is the list of kinds: RESOURCE_KINDS follows its rows and each row carries its own name", () => {
    expect(RESOURCE_KINDS).toEqual(Object.keys(RESOURCES));
    for (const kind of RESOURCE_KINDS) expect(RESOURCES[kind].kind).toBe(kind);
    expect(RESOURCE_KINDS).toContain("VirtualMachine");
  });

  it("gives every kind its own repository key, topic and port", () => {
    const rows = RESOURCE_KINDS.map((k) => RESOURCES[k]);
    for (const field of ["repositoryKey", "topic", "port"] as const)
      expect(new Set(rows.map((r) => r[field])).size, field).toBe(rows.length);
    expect(RESOURCES.VirtualMachine.repositoryKey).toBe("vms");
    expect(RESOURCES.VirtualMachine.port).toBe(Symbol.for("limiquantix.VmRepository"));
    expect(resourceDescriptor("Node")).toBe(RESOURCES.Node);
  });

  it("cannot be changed at run time", () => {
    expect(Object.isFrozen(RESOURCES)).toBe(true);
    expect(Object.isFrozen(RESOURCES.Node)).toBe(true);
    expect(Object.isFrozen(RESOURCE_KINDS)).toBe(true);
  });

  it("derives the types of kinds, entities, inputs, ports, the bundle and the topics", () => {
    expectTypeOf<ResourceKind>().toEqualTypeOf<(typeof RESOURCE_KINDS)[number]>();
    expectTypeOf<ResourceOf<"VirtualMachine">>().toEqualTypeOf<VirtualMachine>();
    expectTypeOf<ResourceInputOf<"VirtualMachine">>().toEqualTypeOf<VirtualMachineInput>();
    expectTypeOf<RepositoryOf<"Node">>().toEqualTypeOf<NodeRepository>();
    expectTypeOf<Repositories["vms"]>().toEqualTypeOf<VmRepository>();
    expectTypeOf<Repositories["projects"]>().toEqualTypeOf<ProjectRepository>();
    expectTypeOf<keyof Repositories>().toEqualTypeOf<RepositoryKey | "audit">();
    expectTypeOf<TopicMap["volumes"]>().toEqualTypeOf<ResourceEvent<Volume>>();
    expectTypeOf<TopicMap["node-metrics"]["type"]>().toEqualTypeOf<"METRICS">();
    expectTypeOf<SpecialRepositoryKind>().toEqualTypeOf<
      "Node" | "VirtualMachine" | "Volume" | "Alert" | "User"
    >();
  });
});
