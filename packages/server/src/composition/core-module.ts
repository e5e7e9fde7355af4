import { Clock, EventBus, IdGenerator, Repositories, UnitOfWork } from "@limiquantix/domain";
import type { ClusterSnapshot, Scheduler } from "@limiquantix/scheduler";
import type { ChangeRelay } from "../events/change-relay";
import type { EventLog } from "../events/event-log";
import type { ResourceCache } from "../events/resource-cache";
import { ContainerModule } from "inversify";
import type { Logger } from "pino";
import type { Config } from "../config/schema";
import type { Controller } from "../controllers/controller";
import type { ServerMetrics } from "../observability/metrics";
import type { ServiceDeps } from "../shared/service-deps";
import { serviceId } from "./service-id";

/** CORE names what every area module builds on: configuration, logging, metrics, the scheduler and the ports bundle. */
export const CORE = {
  config: serviceId<ServerConfig>("Config"),
  logger: serviceId<Logger>("Logger"),
  metrics: serviceId<ServerMetrics | undefined>("Metrics"),
  deps: serviceId<ServiceDeps>("ServiceDeps"),
  scheduler: serviceId<Scheduler>("Scheduler"),
  snapshot: serviceId<ClusterSnapshot>("ClusterSnapshot"),
  /** relay feeds this replica's listeners every committed change, in order. */
  relay: serviceId<ChangeRelay>("ChangeRelay"),
  /** eventLog tells what happened to resources (ListEvents, StreamEvents). */
  eventLog: serviceId<EventLog>("EventLog"),
  /** cache serves consistent reads of VMs and nodes without decoding rows. */
  cache: serviceId<ResourceCache>("ResourceCache"),
  /** controller is bound once per controller; the runner starts all of them while this replica leads. */
  controller: serviceId<Controller>("Controller"),
} as const;

/** ServerConfig is the part of the configuration the services read. */
export type ServerConfig = Pick<
  Config,
  "scheduler" | "reconciler" | "ha" | "drs" | "agents" | "watch" | "changeLog" | "events" | "alerts"
>;

/** CoreValues are the values the core module binds as they are. */
export interface CoreValues {
  readonly config: ServerConfig;
  readonly logger: Logger;
  readonly metrics?: ServerMetrics;
  readonly scheduler: Scheduler;
  readonly snapshot: ClusterSnapshot;
  readonly relay: ChangeRelay;
  readonly eventLog: EventLog;
  readonly cache: ResourceCache;
}

/** coreModule binds the configuration, logger, metrics, scheduler and snapshot, and the ports bundle services work through. */
export function coreModule(values: CoreValues): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(CORE.config).toConstantValue(values.config);
    bind(CORE.logger).toConstantValue(values.logger);
    bind(CORE.metrics).toConstantValue(values.metrics);
    bind(CORE.scheduler).toConstantValue(values.scheduler);
    bind(CORE.snapshot).toConstantValue(values.snapshot);
    bind(CORE.relay).toConstantValue(values.relay);
    bind(CORE.eventLog).toConstantValue(values.eventLog);
    bind(CORE.cache).toConstantValue(values.cache);
    bind(CORE.deps)
      .toResolvedValue(
        (
          repos: Repositories,
          uow: UnitOfWork,
          events: EventBus,
          clock: Clock,
          ids: IdGenerator,
          logger: Logger,
        ): ServiceDeps => ({
          repos,
          uow,
          events,
          clock,
          ids,
          logger,
          cache: values.cache,
        }),
        [Repositories, UnitOfWork, EventBus, Clock, IdGenerator, CORE.logger],
      )
      .inSingletonScope();
  });
}
