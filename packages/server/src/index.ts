// @limiquantix/server: the reference control plane, and what an integrator needs to embed it:
// build and start a server from a configuration, and rebind a port, a service or a handler.

export { type ConfigFlags, type LoadedConfig, loadConfig } from "./config/load";
export { type Config, type ConfigInput, ConfigSchema, ServerMode } from "./config/schema";
export { formatConfig, maskSecrets } from "./config/print";
export { createLogger } from "./observability/logger";
export { type RunningServer, type ServerOptions, startServer } from "./runtime/server";

export {
  AREA_MODULES,
  type ControlPlane,
  type ControlPlaneOptions,
  createControlPlane,
  type Services,
} from "./composition/services";
export { CORE, type CoreValues, coreModule, type ServerConfig } from "./composition/core-module";
export { serviceId } from "./composition/service-id";
export { portModule } from "./composition/backends/port-module";
export { type Backends, type BackendComponent, createBackends } from "./composition/backends";
export { COMPUTE } from "./compute/compute-ids";
export { STORAGE } from "./storage/storage-ids";
export { NETWORK } from "./network/network-ids";
export { IAM } from "./iam/iam-ids";

export {
  ANONYMOUS,
  type CallContext,
  type Principal,
  type PrincipalKind,
  systemContext,
} from "./context/call-context";
export { runDetached, runInCallScope } from "./context/call-scope";
export { callContextOf, PEER_ADDRESS, withCallContext } from "./rpc/call-context-interceptor";
export { type HandlerImpl, registerRoutes, route, RpcRoute } from "./rpc/route";
export type { Controller } from "./controllers/controller";
export type { ServiceDeps } from "./shared/service-deps";
export { CrudService } from "./shared/crud-service";

// The services each area binds, for integrators who extend or wrap one and rebind it.
export { AgentDirectory } from "./compute/agent-directory";
export { ClusterService } from "./compute/cluster-service";
export { DrainService } from "./compute/drain-service";
export { NodeAgentService } from "./compute/node-agent-service";
export { NodeService } from "./compute/node-service";
export { PlacementService } from "./compute/placement-service";
export { VmCloneService } from "./compute/vm-clone-service";
export { VmDiskService } from "./compute/vm-disk-service";
export { VmMigrationService } from "./compute/vm-migration-service";
export { VmPowerService } from "./compute/vm-power-service";
export { VmService } from "./compute/vm-service";
export { VmSnapshotService } from "./compute/vm-snapshot-service";
export { ProjectService } from "./iam/project-service";
export { SecurityGroupService } from "./network/security-group-service";
export { VirtualNetworkService } from "./network/virtual-network-service";
export { ImageService } from "./storage/image-service";
export { StoragePoolService } from "./storage/storage-pool-service";
export { VolumeService } from "./storage/volume-service";
export { VolumeSnapshotService } from "./storage/volume-snapshot-service";
