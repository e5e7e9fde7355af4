// limiquantix.network.v1: virtual networks and security groups (VirtualNetworkService, SecurityGroupService).
export * from "../gen/limiquantix/network/v1/security_group_pb";
export * from "../gen/limiquantix/network/v1/security_group_service_pb";
export * from "../gen/limiquantix/network/v1/virtual_network_pb";
export * from "../gen/limiquantix/network/v1/virtual_network_service_pb";
