// limiquantix.compute.v1: VMs, nodes and clusters (VMService, NodeService, NodeJoinService, ClusterService).
export * from "../gen/limiquantix/compute/v1/cluster_pb";
export * from "../gen/limiquantix/compute/v1/cluster_service_pb";
export * from "../gen/limiquantix/compute/v1/node_join_service_pb";
export * from "../gen/limiquantix/compute/v1/node_pb";
export * from "../gen/limiquantix/compute/v1/node_service_pb";
export * from "../gen/limiquantix/compute/v1/virtual_machine_pb";
export * from "../gen/limiquantix/compute/v1/vm_service_pb";
