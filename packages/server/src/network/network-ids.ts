import { serviceId } from "../composition/service-id";
import type { SecurityGroupService } from "./security-group-service";
import type { VirtualNetworkService } from "./virtual-network-service";

/** NETWORK names the network area's services in the container. */
export const NETWORK = {
  networks: serviceId<VirtualNetworkService>("VirtualNetworkService"),
  securityGroups: serviceId<SecurityGroupService>("SecurityGroupService"),
} as const;
