import { systemClock } from "@limiquantix/domain";
import {
  runCacheConformance,
  runCoordinatorConformance,
  runEventBusConformance,
  runRepositoryConformance,
} from "@limiquantix/domain/conformance";
import { MemoryCache } from "./cache";
import { MemoryCoordinationBackend } from "./coordinator/backend";
import { MemoryCoordinator } from "./coordinator/memory-coordinator";
import { MemoryEventBus, MemoryEventHub } from "./event-bus";
import { ManualClock } from "./manual-clock";
import { createRepositories } from "./repositories/create-repositories";
import { MemoryStore } from "./store";
import { MemoryUnitOfWork } from "./unit-of-work";

runRepositoryConformance("repo-memory", async () => {
  const store = new MemoryStore(systemClock);
  return { repos: createRepositories(store), uow: new MemoryUnitOfWork(store), close: async () => {} };
});

runCacheConformance("repo-memory", async () => {
  const clock = new ManualClock();
  return {
    cache: new MemoryCache(clock),
    advanceTime: async (ms) => clock.advance(ms),
    close: async () => {},
  };
});

runEventBusConformance("repo-memory", async () => {
  const hub = new MemoryEventHub();
  // Handler failures are part of the suite; keep them off stderr.
  const onError = () => {};
  const buses = [new MemoryEventBus({ hub, onError }), new MemoryEventBus({ hub, onError })] as const;
  return {
    buses,
    close: async () => {
      await Promise.all(buses.map((b) => b.close()));
    },
  };
});

runCoordinatorConformance("repo-memory", async () => {
  const clock = new ManualClock();
  const backend = new MemoryCoordinationBackend();
  return {
    create: async () => new MemoryCoordinator({ backend, clock }),
    advanceTime: async (ms) => clock.advance(ms),
    close: async () => {},
  };
});
