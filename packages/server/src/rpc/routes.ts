import type { ConnectRouter } from "@connectrpc/connect";
import type { Services } from "../composition/services";
import { registerComputeRoutes } from "./compute-routes";
import { registerStorageNetworkRoutes } from "./storage-network-routes";

/** registerRoutes mounts every Connect-RPC service of the control plane on a router. */
export function registerRoutes(router: ConnectRouter, services: Services): void {
  registerComputeRoutes(router, services);
  registerStorageNetworkRoutes(router, services);
}
