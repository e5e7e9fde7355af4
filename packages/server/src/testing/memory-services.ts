import { createMemoryAdapters, bindMemoryAdapters, type MemoryAdapters } from "@limiquantix/repo-memory";
import type { Clock } from "@limiquantix/domain";
import type { ContainerModule } from "inversify";
import { pino } from "pino";
import { portModule } from "../composition/backends/port-module";
import { type ControlPlane, createControlPlane, type Services } from "../composition/services";
import { type ConfigInput, ConfigSchema } from "../config/schema";
import { type CallContext, systemContext } from "../context/call-context";

/** MemoryServices is a full set of services over in-process adapters, for tests. */
export interface MemoryServices {
  readonly services: Services;
  readonly plane: ControlPlane;
  readonly adapters: MemoryAdapters;
  readonly projectId: string;
  /** ctx is a call context for calling services directly. */
  readonly ctx: CallContext;
  /** registerNode registers a simulated node with the given CPU cores (1 thread each) and memory. */
  registerNode(
    name: string,
    cores: number,
    memoryMib: number,
    labels?: Record<string, string>,
  ): Promise<string>;
  close(): Promise<void>;
}

/** MemoryServicesOptions tune the services for a test. */
export interface MemoryServicesOptions {
  /** How often the reconciler looks at every VM again (default 1 s). */
  readonly resyncIntervalSec?: number;
  /** Watch stream settings (the server's defaults when absent). */
  readonly watch?: { readonly bookmarkIntervalSec?: number; readonly bufferSize?: number };
  /** The clock of every port (a ManualClock to drive time-based controllers); the system clock by default. */
  readonly clock?: Clock;
  /** Configuration beyond the defaults (`drs`, …), as the configuration file would give it. */
  readonly config?: Partial<ConfigInput>;
  /** Container modules loaded last (to bind an optional part, such as the simulated nodes' controls). */
  readonly modules?: readonly ContainerModule[];
}

/** startMemoryServices builds the services over memory adapters with a default project and cluster, reconciler running. */
export async function startMemoryServices(options: MemoryServicesOptions = {}): Promise<MemoryServices> {
  const adapters = createMemoryAdapters(options.clock ? { clock: options.clock } : {});
  const logger = pino({ level: "silent" });
  const config = ConfigSchema.parse({
    ...options.config,
    reconciler: { resyncIntervalSec: options.resyncIntervalSec ?? 1, maxBackoffSec: 1 },
    ...(options.watch ? { watch: options.watch } : {}),
  });
  const plane = await createControlPlane({
    adapters: [portModule((b) => bindMemoryAdapters(b, adapters))],
    config,
    logger,
    ...(options.modules ? { modules: options.modules } : {}),
  });
  const { services } = plane;
  const ctx = systemContext("test");
  await services.clusters.create(ctx, { name: "default", spec: {} });
  const project = await services.projects.create(ctx, { name: "default" });
  const controller = new AbortController();
  await services.reconciler.start(controller.signal);
  let port = 9000;
  return {
    services,
    plane,
    adapters,
    projectId: project.id,
    ctx,
    async registerNode(name, cores, memoryMib, labels = {}) {
      const node = await services.nodeAgents.register(ctx, {
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
      await plane.close();
      await adapters.close();
    },
  };
}
