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

export { ANONYMOUS, type CallContext, type Principal, type PrincipalKind, systemContext } from "./context/call-context";
export { runDetached, runInCallScope } from "./context/call-scope";
export { callContextOf, PEER_ADDRESS, withCallContext } from "./rpc/call-context-interceptor";
export { type HandlerImpl, registerRoutes, route, RpcRoute } from "./rpc/route";
export type { Controller } from "./controllers/controller";
