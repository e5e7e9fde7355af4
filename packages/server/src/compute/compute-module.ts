import { AgentPool, NodeLiveness } from "@limiquantix/domain";
import { MemoryNodeLiveness } from "@limiquantix/repo-memory";
import { ContainerModule } from "inversify";
import type { Logger } from "pino";
import type { ClusterSnapshot } from "@limiquantix/scheduler";
import type { ChangeRelay } from "../events/change-relay";
import { EVENTS } from "../events/events-ids";
import type { ResourceCache } from "../events/resource-cache";
import { CORE, type ServerConfig } from "../composition/core-module";
import type { ServiceDeps } from "../shared/service-deps";
import { COMPUTE } from "./compute-ids";
import { NodeHealthController } from "../controllers/node-health";
import { Reconciler } from "../controllers/reconciler";
import { RpcRoute } from "../rpc/route";
import { STORAGE } from "../storage/storage-ids";
import { AgentDirectory } from "./agent-directory";
import { clusterHandler } from "./cluster-handler";
import { ClusterService } from "./cluster-service";
import { DrainService } from "./drain-service";
import { NodeAgentService } from "./node-agent-service";
import { nodeHandler } from "./node-handler";
import { NodeService } from "./node-service";
import { PlacementService } from "./placement-service";
import { StrayVmSweeper } from "./stray-vm-sweeper";
import { VmCloneService } from "./vm-clone-service";
import { VmDiskService } from "./vm-disk-service";
import { vmHandler } from "./vm-handler";
import { VmMigrationService } from "./vm-migration-service";
import { VmPowerService } from "./vm-power-service";
import { VmService } from "./vm-service";
import { VmSnapshotService } from "./vm-snapshot-service";

/**
 * computeModule binds the compute area (VMs, nodes, clusters): its services, the reconciler and
 * node-health controllers, and the VMService, NodeService and ClusterService handlers.
 */
export const computeModule = new ContainerModule(({ bind }) => {
  bind(COMPUTE.agents)
    .toDynamicValue((c) => new AgentDirectory(c.get(AgentPool), c.get<ServiceDeps>(CORE.deps).repos))
    .inSingletonScope();
  bind(COMPUTE.placement)
    .toDynamicValue(
      (c) =>
        new PlacementService(
          c.get(CORE.deps),
          c.get(CORE.scheduler),
          c.get(CORE.snapshot),
          c.get(CORE.metrics),
          c.get<ChangeRelay>(CORE.relay),
        ),
    )
    .inSingletonScope();
  bind(COMPUTE.vms)
    .toDynamicValue(
      (c) =>
        new VmService(
          c.get(CORE.deps),
          c.get(COMPUTE.placement),
          c.get(COMPUTE.agents),
          c.get<ResourceCache>(CORE.cache),
        ),
    )
    .inSingletonScope();
  bind(COMPUTE.reconciler)
    .toDynamicValue((c) => {
      const { reconciler } = c.get<ServerConfig>(CORE.config);
      const snapshot = c.get<ClusterSnapshot>(CORE.snapshot);
      return new Reconciler(
        c.get(CORE.deps),
        c.get(COMPUTE.vms),
        c.get(COMPUTE.agents),
        {
          concurrency: reconciler.concurrency,
          resyncIntervalMs: reconciler.resyncIntervalSec * 1000,
          maxBackoffMs: reconciler.maxBackoffSec * 1000,
          knownVms: function* () {
            for (const state of snapshot.vms()) yield state.vm;
          },
          changes: c.get<ChangeRelay>(CORE.relay),
        },
        c.get(CORE.metrics),
      );
    })
    .inSingletonScope();
  bind(COMPUTE.power)
    .toDynamicValue(
      (c) =>
        new VmPowerService(
          c.get(CORE.deps),
          c.get(COMPUTE.agents),
          c.get(COMPUTE.reconciler),
          c.get(COMPUTE.placement),
        ),
    )
    .inSingletonScope();
  bind(COMPUTE.disks)
    .toDynamicValue((c) => new VmDiskService(c.get(CORE.deps), c.get(STORAGE.volumes), c.get(COMPUTE.agents)))
    .inSingletonScope();
  bind(COMPUTE.vmSnapshots)
    .toDynamicValue(
      (c) =>
        new VmSnapshotService(
          c.get(CORE.deps),
          c.get(COMPUTE.vms),
          c.get(COMPUTE.agents),
          c.get(COMPUTE.reconciler),
        ),
    )
    .inSingletonScope();
  bind(COMPUTE.clones)
    .toDynamicValue(
      (c) => new VmCloneService(c.get(COMPUTE.vms), c.get(STORAGE.volumes), c.get(COMPUTE.power)),
    )
    .inSingletonScope();
  bind(COMPUTE.migrations)
    .toDynamicValue(
      (c) =>
        new VmMigrationService(
          c.get(CORE.deps),
          c.get(COMPUTE.placement),
          c.get(CORE.scheduler),
          c.get(CORE.snapshot),
          c.get(COMPUTE.agents),
        ),
    )
    .inSingletonScope();
  bind(COMPUTE.nodes)
    .toDynamicValue(
      (c) =>
        new NodeService(
          c.get(CORE.deps),
          c.get(COMPUTE.agents),
          c.get<ResourceCache>(CORE.cache),
          c.get(COMPUTE.nodeCredentials, { optional: true }),
          c.get(COMPUTE.liveness),
        ),
    )
    .inSingletonScope();
  bind(COMPUTE.nodeAgents)
    .toDynamicValue(
      (c) =>
        new NodeAgentService(
          c.get(CORE.deps),
          c.get(COMPUTE.nodes),
          c.get(COMPUTE.vms),
          c.get(COMPUTE.reconciler),
          new StrayVmSweeper(c.get(CORE.deps), c.get(COMPUTE.agents)),
          {
            liveness: c.get(COMPUTE.liveness),
            statusWriteIntervalMs: c.get<ServerConfig>(CORE.config).agents.statusWriteIntervalSec * 1000,
            onBeatFailed: beatFailureLogger(c.get(CORE.logger)),
          },
        ),
    )
    .inSingletonScope();
  bind(COMPUTE.liveness)
    .toDynamicValue((c) => c.get(NodeLiveness, { optional: true }) ?? new MemoryNodeLiveness())
    .inSingletonScope();
  bind(COMPUTE.drain)
    .toDynamicValue(
      (c) =>
        new DrainService(
          c.get(CORE.deps),
          c.get(COMPUTE.nodes),
          c.get(COMPUTE.migrations),
          c.get(COMPUTE.power),
          c.get(COMPUTE.placement),
          c.get(CORE.scheduler),
          c.get(CORE.snapshot),
        ),
    )
    .inSingletonScope();
  bind(COMPUTE.clusters)
    .toDynamicValue(
      (c) =>
        new ClusterService(c.get(CORE.deps), () =>
          c.get<PlacementService>(COMPUTE.placement).clustersChanged(),
        ),
    )
    .inSingletonScope();
  bind(COMPUTE.nodeHealth)
    .toDynamicValue((c) => {
      const { ha } = c.get<ServerConfig>(CORE.config);
      return new NodeHealthController(
        c.get(CORE.deps),
        c.get(COMPUTE.nodes),
        {
          checkIntervalMs: ha.checkIntervalSec * 1000,
          failureThreshold: ha.failureThreshold,
          liveness: c.get(COMPUTE.liveness),
          statusWriteIntervalMs: c.get<ServerConfig>(CORE.config).agents.statusWriteIntervalSec * 1000,
          reads: c.get<ResourceCache>(CORE.cache),
        },
        c.get(CORE.logger),
      );
    })
    .inSingletonScope();

  bind(CORE.controller).toService(COMPUTE.reconciler);
  bind(CORE.controller).toService(COMPUTE.nodeHealth);

  bind(RpcRoute).toDynamicValue((c) =>
    vmHandler({
      vms: c.get(COMPUTE.vms),
      power: c.get(COMPUTE.power),
      disks: c.get(COMPUTE.disks),
      snapshots: c.get(COMPUTE.vmSnapshots),
      clones: c.get(COMPUTE.clones),
      migrations: c.get(COMPUTE.migrations),
      watch: c.get(EVENTS.watch),
    }),
  );
  bind(RpcRoute).toDynamicValue((c) =>
    nodeHandler(
      {
        nodes: c.get(COMPUTE.nodes),
        agents: c.get(COMPUTE.nodeAgents),
        drain: c.get(COMPUTE.drain),
        watch: c.get(EVENTS.watch),
      },
      { heartbeatIntervalSec: c.get<ServerConfig>(CORE.config).agents.heartbeatIntervalSec },
    ),
  );
  bind(RpcRoute).toDynamicValue((c) => clusterHandler(c.get(COMPUTE.clusters)));
});

/** beatFailureLogger logs a beat the liveness record refused once per minute at most (each is stored instead). */
function beatFailureLogger(logger: Logger): (error: unknown) => void {
  let lastAt = 0;
  let missed = 0;
  return (error) => {
    missed++;
    const now = Date.now();
    if (now - lastAt < 60_000) return;
    logger.warn({ err: error, beats: missed }, "node beats cannot be recorded: storing heartbeats instead");
    lastAt = now;
    missed = 0;
  };
}
