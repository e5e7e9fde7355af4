import { Cache, Clock, Coordinator, EventBus, IdGenerator, NodeLiveness } from "@limiquantix/domain";
import { MemoryCache, MemoryCoordinator, MemoryEventBus, MemoryNodeLiveness } from "@limiquantix/repo-memory";
import type { ContainerModule } from "inversify";
import { portModule } from "./port-module";

/** InProcess are the single-replica event bus, cache, coordinator and node beats embedded mode runs with. */
export interface InProcess {
  readonly events: MemoryEventBus;
  readonly cache: MemoryCache;
  readonly coordinator: MemoryCoordinator;
  readonly module: ContainerModule;
  close(): Promise<void>;
}

/** openInProcess makes the in-process event bus, cache and coordinator, and a module binding them with the clock and ids. */
export function openInProcess(clock: Clock, ids: IdGenerator): InProcess {
  const events = new MemoryEventBus();
  const cache = new MemoryCache(clock);
  const coordinator = new MemoryCoordinator({ clock });
  return {
    events,
    cache,
    coordinator,
    module: portModule((b) => {
      b.bind(EventBus, events);
      b.bind(Cache, cache);
      b.bind(Coordinator, coordinator);
      b.bind(NodeLiveness, new MemoryNodeLiveness());
      b.bind(Clock, clock);
      b.bind(IdGenerator, ids);
    }),
    async close() {
      await coordinator.close();
      await events.close();
    },
  };
}
