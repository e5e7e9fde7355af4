import type { NodeLiveness } from "@limiquantix/domain";
import { serviceId } from "../composition/service-id";
import type { AgentDirectory } from "./agent-directory";
import type { ClusterService } from "./cluster-service";
import type { DrainService } from "./drain-service";
import type { NodeAgentService } from "./node-agent-service";
import type { NodeHealthController } from "../controllers/node-health";
import type { NodeCredentialRevoker, NodeService } from "./node-service";
import type { PlacementService } from "./placement-service";
import type { Reconciler } from "../controllers/reconciler";
import type { VmCloneService } from "./vm-clone-service";
import type { VmDiskService } from "./vm-disk-service";
import type { VmMigrationService } from "./vm-migration-service";
import type { VmPowerService } from "./vm-power-service";
import type { VmService } from "./vm-service";
import type { VmSnapshotService } from "./vm-snapshot-service";

/** COMPUTE names the compute area's services and controllers in the container. */
export const COMPUTE = {
  agents: serviceId<AgentDirectory>("AgentDirectory"),
  placement: serviceId<PlacementService>("PlacementService"),
  vms: serviceId<VmService>("VmService"),
  power: serviceId<VmPowerService>("VmPowerService"),
  disks: serviceId<VmDiskService>("VmDiskService"),
  vmSnapshots: serviceId<VmSnapshotService>("VmSnapshotService"),
  clones: serviceId<VmCloneService>("VmCloneService"),
  migrations: serviceId<VmMigrationService>("VmMigrationService"),
  nodes: serviceId<NodeService>("NodeService"),
  nodeAgents: serviceId<NodeAgentService>("NodeAgentService"),
  /** Bound by the identity area when nodes hold credentials; optional. */
  nodeCredentials: serviceId<NodeCredentialRevoker>("NodeCredentialRevoker"),
  drain: serviceId<DrainService>("DrainService"),
  clusters: serviceId<ClusterService>("ClusterService"),
  reconciler: serviceId<Reconciler>("Reconciler"),
  nodeHealth: serviceId<NodeHealthController>("NodeHealthController"),
  /** Node beats: the NodeLiveness port where a backend binds one, else this replica's own record. */
  liveness: serviceId<NodeLiveness>("ComputeNodeLiveness"),
} as const;
