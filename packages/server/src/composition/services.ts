import type { AgentPool, Subscription } from "@limiquantix/domain";
import { type ClusterSnapshot, Scheduler } from "@limiquantix/scheduler";
import type { Config } from "../config/schema";
import { Reconciler } from "../controllers/reconciler";
import type { ServerMetrics } from "../observability/metrics";
import { AgentDirectory } from "../compute/agent-directory";
import { ClusterService, ImageService, ProjectService, StoragePoolService } from "../shared/catalog-services";
import { DrainService } from "../compute/drain-service";
import { NetworkService } from "../network/virtual-network-service";
import { NodeAdminService } from "../compute/node-admin-service";
import { NodeService } from "../compute/node-service";
import { PlacementService } from "../compute/placement-service";
import { SecurityGroupService } from "../network/security-group-service";
import type { ServiceDeps } from "../shared/service-deps";
import { VmMigrationService } from "../compute/vm-migration-service";
import { VmOperationsService } from "../compute/vm-operations-service";
import { VmPowerService } from "../compute/vm-power-service";
import { VmService } from "../compute/vm-service";
import { VmSnapshotCatalog } from "../compute/vm-snapshot-catalog";
import { VolumeService } from "../storage/volume-service";
import { loadSnapshot, syncSnapshot } from "./snapshot-sync";

/** Services bundles every application service of the control plane. */
export interface Services {
  readonly deps: ServiceDeps;
  readonly scheduler: Scheduler;
  readonly snapshot: ClusterSnapshot;
  readonly agents: AgentDirectory;
  readonly placement: PlacementService;
  readonly projects: ProjectService;
  readonly clusters: ClusterService;
  readonly nodes: NodeService;
  /** nodeAdmin changes operator settings, deletes empty nodes and records what agents report. */
  readonly nodeAdmin: NodeAdminService;
  readonly vms: VmService;
  readonly power: VmPowerService;
  readonly vmOps: VmOperationsService;
  /** vmSnapshots reads the snapshots of a VM. */
  readonly vmSnapshots: VmSnapshotCatalog;
  readonly migrations: VmMigrationService;
  readonly drain: DrainService;
  readonly pools: StoragePoolService;
  readonly volumes: VolumeService;
  readonly images: ImageService;
  readonly networks: NetworkService;
  readonly securityGroups: SecurityGroupService;
  readonly reconciler: Reconciler;
  /** close stops following change events. */
  close(): Promise<void>;
}

/** createServices builds every service over the given ports, loading the live placement snapshot from the store. */
export async function createServices(
  deps: ServiceDeps,
  agentPool: AgentPool,
  config: Pick<Config, "scheduler" | "reconciler">,
  metrics?: ServerMetrics,
): Promise<Services> {
  const scheduler = new Scheduler({ profile: { preset: config.scheduler.strategy } });
  const snapshot = await loadSnapshot(deps.repos, config.scheduler.overcommit);
  const subs: Subscription[] = await syncSnapshot(deps.events, snapshot);
  const agents = new AgentDirectory(agentPool, deps.repos);
  const placement = new PlacementService(deps, scheduler, snapshot, metrics);
  const vms = new VmService(deps, placement, agents);
  const volumes = new VolumeService(deps);
  const nodes = new NodeService(deps, agents);
  const migrations = new VmMigrationService(deps, placement, scheduler, snapshot, agents);
  const reconciler = new Reconciler(
    deps,
    vms,
    agents,
    {
      concurrency: config.reconciler.concurrency,
      resyncIntervalMs: config.reconciler.resyncIntervalSec * 1000,
      maxBackoffMs: config.reconciler.maxBackoffSec * 1000,
      knownVms: function* () {
        for (const state of snapshot.vms()) yield state.vm;
      },
    },
    metrics,
  );
  return {
    deps,
    scheduler,
    snapshot,
    agents,
    placement,
    projects: new ProjectService(deps),
    clusters: new ClusterService(deps),
    nodes,
    nodeAdmin: new NodeAdminService(deps, vms),
    vms,
    power: new VmPowerService(deps, agents, reconciler),
    vmOps: new VmOperationsService(deps, vms, volumes, agents),
    vmSnapshots: new VmSnapshotCatalog(deps),
    migrations,
    drain: new DrainService(deps, nodes, migrations, placement, scheduler, snapshot),
    pools: new StoragePoolService(deps),
    volumes,
    images: new ImageService(deps),
    networks: new NetworkService(deps),
    securityGroups: new SecurityGroupService(deps),
    reconciler,
    async close() {
      await Promise.all(subs.map((s) => s.unsubscribe()));
    },
  };
}
