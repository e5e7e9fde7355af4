import {
  AgentPool,
  AuditRepository,
  Cache,
  ChangeLog,
  Clock,
  Coordinator,
  EventBus,
  IdGenerator,
  NodeRepository,
  type PortBinder,
  Repositories,
  RESOURCE_KINDS,
  RESOURCES,
  type ServiceIdentifier,
  UnitOfWork,
  VmRepository,
} from "@limiquantix/domain";
import { fixtures } from "@limiquantix/domain/conformance";
import { describe, expect, it } from "vitest";
import { bindMemoryAdapters, createMemoryAdapters } from "./adapters";
import { sequentialIds } from "./id-generator";
import { ManualClock } from "./manual-clock";

class MapBinder implements PortBinder {
  readonly bound = new Map<symbol, unknown>();
  bind<T>(id: ServiceIdentifier<T>, value: T): void {
    this.bound.set(id, value);
  }
}

describe("createMemoryAdapters / bindMemoryAdapters", () => {
  it("binds every port identifier to the adapters it created", () => {
    const adapters = createMemoryAdapters();
    const binder = new MapBinder();
    bindMemoryAdapters(binder, adapters);
    expect(binder.bound.get(Repositories)).toBe(adapters.repositories);
    expect(binder.bound.get(VmRepository)).toBe(adapters.repositories.vms);
    expect(binder.bound.get(NodeRepository)).toBe(adapters.repositories.nodes);
    expect(binder.bound.get(AuditRepository)).toBe(adapters.repositories.audit);
    expect(binder.bound.get(UnitOfWork)).toBe(adapters.unitOfWork);
    expect(binder.bound.get(ChangeLog)).toBe(adapters.changeLog);
    expect(binder.bound.get(EventBus)).toBe(adapters.eventBus);
    expect(binder.bound.get(Cache)).toBe(adapters.cache);
    expect(binder.bound.get(Coordinator)).toBe(adapters.coordinator);
    expect(binder.bound.get(AgentPool)).toBe(adapters.agentPool);
    expect(binder.bound.get(Clock)).toBe(adapters.clock);
    expect(binder.bound.get(IdGenerator)).toBe(adapters.ids);
    expect(binder.bound.size).toBe(26);
  });

  it("binds each kind's port to a repository of that kind, as RESOURCES lists them", () => {
    const adapters = createMemoryAdapters();
    const binder = new MapBinder();
    bindMemoryAdapters(binder, adapters);
    for (const kind of RESOURCE_KINDS) {
      const repo = binder.bound.get(RESOURCES[kind].port) as { kind?: string } | undefined;
      expect(repo?.kind, kind).toBe(kind);
      expect(repo).toBe(adapters.repositories[RESOURCES[kind].repositoryKey]);
    }
  });

  it("shares the injected clock: timestamps and cache TTLs follow it", async () => {
    const clock = new ManualClock("2030-01-01T00:00:00.000Z");
    const adapters = createMemoryAdapters({ clock, ids: sequentialIds("t") });
    const project = await adapters.repositories.projects.create(fixtures.project());
    expect(project.createdAt).toBe("2030-01-01T00:00:00.000Z");
    await adapters.cache.set("k", 1, 1000);
    clock.advance(1000);
    expect(await adapters.cache.get("k")).toBeUndefined();
    expect(adapters.ids.next()).toBe("t-000001");
    await adapters.close();
  });

  it("default ids are unique and time-ordered", () => {
    const { ids } = createMemoryAdapters();
    const made = Array.from({ length: 100 }, () => ids.next());
    expect(new Set(made).size).toBe(100);
    expect([...made].sort()).toEqual(made);
  });

  it("close releases the coordinator's holdings", async () => {
    const adapters = createMemoryAdapters();
    await adapters.coordinator.lock("x");
    await adapters.close();
    await expect(adapters.coordinator.lock("x")).rejects.toThrow(/closed/);
  });
});

describe("sequentialIds", () => {
  it("counts from the start, fixed width, and reports how many it issued", () => {
    const ids = sequentialIds("vm", 9);
    expect([ids.next(), ids.next()]).toEqual(["vm-000009", "vm-000010"]);
    expect(ids.issued).toBe(2);
  });
});
