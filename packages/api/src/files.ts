import type { DescFile, DescService } from "@bufbuild/protobuf";
import { createRegistry, type Registry } from "@bufbuild/protobuf";
import { file_grpc_health_v1_health } from "./gen/grpc/health/v1/health_pb";
import { file_limiquantix_alert_v1_alert_service } from "./gen/limiquantix/alert/v1/alert_service_pb";
import { file_limiquantix_audit_v1_audit_service } from "./gen/limiquantix/audit/v1/audit_service_pb";
import { file_limiquantix_common_v1_error_details } from "./gen/limiquantix/common/v1/error_details_pb";
import { file_limiquantix_compute_v1_cluster_service } from "./gen/limiquantix/compute/v1/cluster_service_pb";
import { file_limiquantix_compute_v1_node_join_service } from "./gen/limiquantix/compute/v1/node_join_service_pb";
import { file_limiquantix_compute_v1_node_service } from "./gen/limiquantix/compute/v1/node_service_pb";
import { file_limiquantix_compute_v1_vm_service } from "./gen/limiquantix/compute/v1/vm_service_pb";
import { file_limiquantix_drs_v1_drs_service } from "./gen/limiquantix/drs/v1/drs_service_pb";
import { file_limiquantix_events_v1_event_service } from "./gen/limiquantix/events/v1/event_service_pb";
import { file_limiquantix_iam_v1_auth_service } from "./gen/limiquantix/iam/v1/auth_service_pb";
import { file_limiquantix_iam_v1_project_service } from "./gen/limiquantix/iam/v1/project_service_pb";
import { file_limiquantix_iam_v1_service_account_service } from "./gen/limiquantix/iam/v1/service_account_service_pb";
import { file_limiquantix_iam_v1_user_service } from "./gen/limiquantix/iam/v1/user_service_pb";
import { file_limiquantix_network_v1_security_group_service } from "./gen/limiquantix/network/v1/security_group_service_pb";
import { file_limiquantix_network_v1_virtual_network_service } from "./gen/limiquantix/network/v1/virtual_network_service_pb";
import { file_limiquantix_sim_v1_simulation_service } from "./gen/limiquantix/sim/v1/simulation_service_pb";
import { file_limiquantix_storage_v1_image_service } from "./gen/limiquantix/storage/v1/image_service_pb";
import { file_limiquantix_storage_v1_storage_pool_service } from "./gen/limiquantix/storage/v1/storage_pool_service_pb";
import { file_limiquantix_storage_v1_volume_service } from "./gen/limiquantix/storage/v1/volume_service_pb";

/** API_FILES are the service files of the public API (plus the error details every error carries); their imports bring in every message and enum. */
export const API_FILES: readonly DescFile[] = [
  file_limiquantix_compute_v1_vm_service,
  file_limiquantix_compute_v1_node_service,
  file_limiquantix_compute_v1_node_join_service,
  file_limiquantix_compute_v1_cluster_service,
  file_limiquantix_storage_v1_storage_pool_service,
  file_limiquantix_storage_v1_volume_service,
  file_limiquantix_storage_v1_image_service,
  file_limiquantix_network_v1_virtual_network_service,
  file_limiquantix_network_v1_security_group_service,
  file_limiquantix_alert_v1_alert_service,
  file_limiquantix_drs_v1_drs_service,
  file_limiquantix_iam_v1_project_service,
  file_limiquantix_iam_v1_user_service,
  file_limiquantix_iam_v1_service_account_service,
  file_limiquantix_iam_v1_auth_service,
  file_limiquantix_audit_v1_audit_service,
  file_limiquantix_events_v1_event_service,
  file_limiquantix_sim_v1_simulation_service,
  file_limiquantix_common_v1_error_details,
  file_grpc_health_v1_health,
];

/** API_SERVICES lists every service of the public API, grpc.health.v1.Health included, for routers and reflection. */
export const API_SERVICES: readonly DescService[] = API_FILES.flatMap((file) => file.services);

/**
 * createApiRegistry builds a registry of every message, enum and service of the API, e.g. for
 * JSON that carries google.protobuf.Any, or for a reflection service.
 */
export function createApiRegistry(): Registry {
  const seen = new Set<DescFile>();
  const visit = (file: DescFile): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const dep of file.dependencies) visit(dep);
  };
  for (const file of API_FILES) visit(file);
  return createRegistry(...seen);
}
