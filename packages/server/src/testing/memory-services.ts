import { createMemoryAdapters, type MemoryAdapters } from "@limiquantix/repo-memory";
import { pino } from "pino";
import { ConfigSchema } from "../config/schema";
import { createServices, type Services } from "../composition/services";

/** MemoryServices is a full set of services over in-process adapters, for tests. */
export interface MemoryServices {
  readonly services: Services;
  readonly adapters: MemoryAdapters;
  readonly projectId: string;
  /** registerNode registers a simulated node with the given CPU cores (1 thread each) and memory. */
  registerNode(name: string, cores: number, memoryMib: number, labels?: Record<string, string>): Promise<string>;
  close(): Promise<void>;
}

/** startMemoryServices builds the services over memory adapters with a default project and cluster, reconciler running. */
export async function startMemoryServices(): Promise<MemoryServices> {
  const adapters = createMemoryAdapters();
  const logger = pino({ level: "silent" });
  const deps = {
    repos: adapters.repositories,
    uow: adapters.unitOfWork,
    events: adapters.eventBus,
    clock: adapters.clock,
    ids: adapters.ids,
    logger,
  };
  const config = ConfigSchema.parse({ reconciler: { resyncIntervalSec: 1, maxBackoffSec: 1 } });
  const services = await createServices(deps, adapters.agentPool, config);
  await services.clusters.create({ name: "default", spec: {} });
  const project = await services.projects.create({ name: "default" });
  const controller = new AbortController();
  await services.reconciler.start(controller.signal);
  let port = 9000;
  return {
    services,
    adapters,
    projectId: project.id,
    async registerNode(name, cores, memoryMib, labels = {}) {
      const node = await services.nodes.register({
        name,
        hostname: `${name}.lab`,
        managementIp: "10.0.0.1",
        agentAddress: `127.0.0.1:${++port}`,
        cpu: { sockets: 1, coresPerSocket: cores, threadsPerCore: 1 },
        memoryMib,
        labels,
      });
      return node.id;
    },
    async close() {
      controller.abort();
      await services.reconciler.stop();
      await services.close();
      await adapters.close();
    },
  };
}
