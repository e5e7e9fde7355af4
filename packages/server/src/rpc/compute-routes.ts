import type { ConnectRouter } from "@connectrpc/connect";
import { compute, iam } from "@limiquantix/api";
import type { Services } from "../composition/services";
import { createClusterHandler } from "../compute/cluster-handler";
import { createNodeHandler } from "../compute/node-handler";
import { createProjectHandler } from "../iam/project-handler";
import { createVmHandler } from "../compute/vm-handler";

/** ComputeRouteOptions tune the compute services. */
export interface ComputeRouteOptions {
  /** How often agents are asked to send heartbeats (default 10 s). */
  readonly heartbeatIntervalSec?: number;
}

/**
 * registerComputeRoutes mounts VMService, NodeService, ClusterService and ProjectService. Their
 * watch streams are not mounted yet, so those methods answer Unimplemented.
 */
export function registerComputeRoutes(router: ConnectRouter, services: Services, options: ComputeRouteOptions = {}): void {
  router.service(compute.VMService, createVmHandler(services));
  router.service(compute.NodeService, createNodeHandler(services, { heartbeatIntervalSec: options.heartbeatIntervalSec ?? 10 }));
  router.service(compute.ClusterService, createClusterHandler(services));
  router.service(iam.ProjectService, createProjectHandler(services));
}
