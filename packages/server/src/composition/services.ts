import { ChangeLog, Repositories } from "@limiquantix/domain";
import { type ClusterSnapshot, Scheduler } from "@limiquantix/scheduler";
import { Container, type ContainerModule } from "inversify";
import type { Logger } from "pino";
import type { AgentDirectory } from "../compute/agent-directory";
import type { ClusterService } from "../compute/cluster-service";
import type { DrainService } from "../compute/drain-service";
import type { NodeAgentService } from "../compute/node-agent-service";
import type { NodeService } from "../compute/node-service";
import type { PlacementService } from "../compute/placement-service";
import type { VmCloneService } from "../compute/vm-clone-service";
import type { VmDiskService } from "../compute/vm-disk-service";
import type { VmMigrationService } from "../compute/vm-migration-service";
import type { VmPowerService } from "../compute/vm-power-service";
import type { VmService } from "../compute/vm-service";
import type { VmSnapshotService } from "../compute/vm-snapshot-service";
import type { Reconciler } from "../controllers/reconciler";
import type { ProjectService } from "../iam/project-service";
import type { SecurityGroupService } from "../network/security-group-service";
import type { VirtualNetworkService } from "../network/virtual-network-service";
import type { ImageService } from "../storage/image-service";
import type { StoragePoolService } from "../storage/storage-pool-service";
import type { VolumeService } from "../storage/volume-service";
import type { VolumeSnapshotService } from "../storage/volume-snapshot-service";
import { COMPUTE } from "../compute/compute-ids";
import { alertModule } from "../alert/alert-module";
import { computeModule } from "../compute/compute-module";
import { drsModule } from "../drs/drs-module";
import { eventsModule } from "../events/events-module";
import { haModule } from "../ha/ha-module";
import type { Controller } from "../controllers/controller";
import { IAM } from "../iam/iam-ids";
import { iamModule } from "../iam/iam-module";
import { NETWORK } from "../network/network-ids";
import { networkModule } from "../network/network-module";
import type { ServerMetrics } from "../observability/metrics";
import { RpcRoute } from "../rpc/route";
import type { ServiceDeps } from "../shared/service-deps";
import { STORAGE } from "../storage/storage-ids";
import { storageModule } from "../storage/storage-module";
import { CORE, coreModule, type ServerConfig } from "./core-module";
import { ChangeRelay } from "../events/change-relay";
import { EventLog } from "../events/event-log";
import { ResourceCache } from "../events/resource-cache";
import { allItems } from "../shared/each-item";
import { readContent, snapshotFollower, snapshotOf } from "./snapshot-sync";

/** AREA_MODULES are the container modules of the API areas, in the order they are loaded. */
export const AREA_MODULES: readonly ContainerModule[] = [
  eventsModule,
  computeModule,
  storageModule,
  networkModule,
  iamModule,
  alertModule,
  drsModule,
  haModule,
];

/** Services is every application service of the control plane, resolved from its container. */
export interface Services {
  readonly deps: ServiceDeps;
  readonly scheduler: Scheduler;
  readonly snapshot: ClusterSnapshot;
  /** relay feeds this replica every committed change, in order. */
  readonly relay: ChangeRelay;
  readonly agents: AgentDirectory;
  readonly placement: PlacementService;
  readonly projects: ProjectService;
  readonly clusters: ClusterService;
  readonly nodes: NodeService;
  readonly nodeAgents: NodeAgentService;
  readonly vms: VmService;
  readonly power: VmPowerService;
  readonly disks: VmDiskService;
  readonly vmSnapshots: VmSnapshotService;
  readonly clones: VmCloneService;
  readonly migrations: VmMigrationService;
  readonly drain: DrainService;
  readonly pools: StoragePoolService;
  readonly volumes: VolumeService;
  readonly volumeSnapshots: VolumeSnapshotService;
  readonly images: ImageService;
  readonly networks: VirtualNetworkService;
  readonly securityGroups: SecurityGroupService;
  readonly reconciler: Reconciler;
}

function resolveAll(c: Container): Omit<Services, "deps" | "scheduler" | "snapshot" | "relay"> {
  return {
    agents: c.get<AgentDirectory>(COMPUTE.agents),
    placement: c.get<PlacementService>(COMPUTE.placement),
    projects: c.get<ProjectService>(IAM.projects),
    clusters: c.get<ClusterService>(COMPUTE.clusters),
    nodes: c.get<NodeService>(COMPUTE.nodes),
    nodeAgents: c.get<NodeAgentService>(COMPUTE.nodeAgents),
    vms: c.get<VmService>(COMPUTE.vms),
    power: c.get<VmPowerService>(COMPUTE.power),
    disks: c.get<VmDiskService>(COMPUTE.disks),
    vmSnapshots: c.get<VmSnapshotService>(COMPUTE.vmSnapshots),
    clones: c.get<VmCloneService>(COMPUTE.clones),
    migrations: c.get<VmMigrationService>(COMPUTE.migrations),
    drain: c.get<DrainService>(COMPUTE.drain),
    pools: c.get<StoragePoolService>(STORAGE.pools),
    volumes: c.get<VolumeService>(STORAGE.volumes),
    volumeSnapshots: c.get<VolumeSnapshotService>(STORAGE.volumeSnapshots),
    images: c.get<ImageService>(STORAGE.images),
    networks: c.get<VirtualNetworkService>(NETWORK.networks),
    securityGroups: c.get<SecurityGroupService>(NETWORK.securityGroups),
    reconciler: c.get<Reconciler>(COMPUTE.reconciler),
  };
}

/** ControlPlaneOptions are what a control plane is assembled from. */
export interface ControlPlaneOptions {
  /** Modules that bind the ports (repositories, unit of work, event bus, clock, ids, agent pool, cache, coordinator). */
  readonly adapters: readonly ContainerModule[];
  readonly config: ServerConfig;
  readonly logger: Logger;
  readonly metrics?: ServerMetrics;
  /**
   * Modules loaded last, to rebind a port or a service (`rebindSync(COMPUTE.vms)…`) or add a route
   * (`bind(RpcRoute)…`; a later route for a service replaces the built-in one).
   */
  readonly modules?: readonly ContainerModule[];
}

/** ControlPlane is an assembled control plane: its container, its services, and what the runtime serves and runs. */
export interface ControlPlane {
  readonly container: Container;
  readonly services: Services;
  /** routes are the handlers every area bound, for the RPC router. */
  routes(): RpcRoute[];
  /** controllers are every controller bound, for the leader's runner. */
  controllers(): Controller[];
  /** close stops following the change log. */
  close(): Promise<void>;
}

/**
 * createControlPlane loads the adapters into a new container, reads the live placement snapshot
 * from the store and keeps it current by following the change log from the revision it was read
 * at, then binds the core and every API area's module, and the caller's modules last.
 */
export async function createControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const container = new Container();
  for (const m of options.adapters) container.loadSync(m);
  const repos = container.get<Repositories>(Repositories);
  const relay = new ChangeRelay(container.get<ChangeLog>(ChangeLog), options.logger);
  // The head is read before the store: a change made while loading is relayed again, and the
  // snapshot ignores what it already holds.
  const head = await container.get<ChangeLog>(ChangeLog).head();
  const content = await readContent(repos);
  const snapshot = snapshotOf(content, options.config.scheduler.overcommit);
  const eventLog = new EventLog(repos, {
    historySize: options.config.events.historySize,
    bufferSize: options.config.watch.bufferSize,
  });
  eventLog.seed("VirtualMachine", content.vms);
  eventLog.seed("Node", content.nodes);
  eventLog.seed("Volume", content.volumes);
  // Unresolved alerts, so one that resolves later is told as resolved on this replica too.
  eventLog.seed("Alert", await allItems(repos.alerts, { states: ["OPEN", "ACKNOWLEDGED"] }));
  const cache = new ResourceCache(relay, repos);
  cache.seed(content.vms, content.nodes);
  relay.subscribe(snapshotFollower(snapshot, repos, content));
  relay.subscribe(cache);
  relay.subscribe(eventLog);
  await relay.start(head);
  const scheduler = new Scheduler({ profile: { preset: options.config.scheduler.strategy } });
  container.loadSync(
    coreModule({
      config: options.config,
      logger: options.logger,
      scheduler,
      snapshot,
      relay,
      eventLog,
      cache,
      ...(options.metrics ? { metrics: options.metrics } : {}),
    }),
  );
  for (const m of AREA_MODULES) container.loadSync(m);
  for (const m of options.modules ?? []) container.loadSync(m);
  const services: Services = {
    deps: container.get<ServiceDeps>(CORE.deps),
    scheduler,
    snapshot,
    relay,
    ...resolveAll(container),
  };
  return {
    container,
    services,
    routes: () => container.getAll<RpcRoute>(RpcRoute),
    controllers: () => container.getAll<Controller>(CORE.controller),
    close: () => relay.stop(),
  };
}
