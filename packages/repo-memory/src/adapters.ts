import {
  AgentPool,
  bindRepositories,
  Cache,
  ChangeLog,
  Clock,
  type Closeable,
  Coordinator,
  EventBus,
  IdGenerator,
  type PortBinder,
  type Repositories,
  systemClock,
  UnitOfWork,
  uuidV7Generator,
} from "@limiquantix/domain";
import { MemoryAgentPool, type MemoryAgentPoolOptions } from "./agent-pool/memory-agent-pool";
import { MemoryCache } from "./cache";
import { MemoryChangeLog } from "./change-log";
import type { MemoryCoordinationBackend } from "./coordinator/backend";
import { MemoryCoordinator } from "./coordinator/memory-coordinator";
import { type EventErrorHandler, MemoryEventBus, type MemoryEventHub } from "./event-bus";
import { createRepositories } from "./repositories/create-repositories";
import { MemoryStore } from "./store";
import { MemoryUnitOfWork } from "./unit-of-work";

/** MemoryAdapterOptions configure createMemoryAdapters; every field is optional. */
export interface MemoryAdapterOptions {
  /** The clock of timestamps, TTLs and timeouts (a ManualClock in tests); the system clock by default. */
  readonly clock?: Clock;
  /** The id generator bound to IdGenerator; UUIDv7 on the clock by default. */
  readonly ids?: IdGenerator;
  /** Hears about event handlers that fail; they are written to stderr by default. */
  readonly onEventError?: EventErrorHandler;
  /** Share an event hub with other adapter sets (in-process "replicas"). */
  readonly eventHub?: MemoryEventHub;
  /** Share a coordination backend with other adapter sets (in-process "replicas"). */
  readonly coordinationBackend?: MemoryCoordinationBackend;
  /** Options of the simulated hypervisors. */
  readonly agentPool?: MemoryAgentPoolOptions;
}

/** MemoryAdapters is every port implemented in process, plus the store behind the repositories. */
export interface MemoryAdapters extends Closeable {
  readonly store: MemoryStore;
  readonly repositories: Repositories;
  readonly unitOfWork: UnitOfWork;
  /** The change log the store appends to with every committed write. */
  readonly changeLog: MemoryChangeLog;
  readonly eventBus: MemoryEventBus;
  readonly cache: MemoryCache;
  readonly coordinator: MemoryCoordinator;
  readonly agentPool: MemoryAgentPool;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

/** createMemoryAdapters builds an in-process implementation of every port, sharing one clock. */
export function createMemoryAdapters(options: MemoryAdapterOptions = {}): MemoryAdapters {
  const clock = options.clock ?? systemClock;
  const store = new MemoryStore(clock);
  const eventBus = new MemoryEventBus({
    ...(options.eventHub ? { hub: options.eventHub } : {}),
    ...(options.onEventError ? { onError: options.onEventError } : {}),
  });
  const coordinator = new MemoryCoordinator({
    clock,
    ...(options.coordinationBackend ? { backend: options.coordinationBackend } : {}),
  });
  const agentPool = new MemoryAgentPool({ clock, ...options.agentPool });
  return {
    store,
    repositories: createRepositories(store),
    unitOfWork: new MemoryUnitOfWork(store),
    changeLog: new MemoryChangeLog(store),
    eventBus,
    cache: new MemoryCache(clock),
    coordinator,
    agentPool,
    clock,
    ids: options.ids ?? uuidV7Generator(() => clock.now().getTime()),
    async close() {
      await coordinator.close();
      await eventBus.close();
      await agentPool.close();
    },
  };
}

/** bindMemoryAdapters binds every port identifier to its in-process implementation. */
export function bindMemoryAdapters(binder: PortBinder, adapters: MemoryAdapters): void {
  bindRepositories(binder, adapters.repositories);
  binder.bind(UnitOfWork, adapters.unitOfWork);
  binder.bind(ChangeLog, adapters.changeLog);
  binder.bind(EventBus, adapters.eventBus);
  binder.bind(Cache, adapters.cache);
  binder.bind(Coordinator, adapters.coordinator);
  binder.bind(AgentPool, adapters.agentPool);
  binder.bind(Clock, adapters.clock);
  binder.bind(IdGenerator, adapters.ids);
}
