// The public LimiQuantix API: one namespace per protobuf package, so names such as
// `AttachVolumeRequest` (compute and storage both have one) never clash.
export * as alert from "./areas/alert";
export * as audit from "./areas/audit";
export * as common from "./areas/common";
export * as compute from "./areas/compute";
export * as drs from "./areas/drs";
export * as events from "./areas/events";
export * as health from "./areas/health";
export * as iam from "./areas/iam";
export * as network from "./areas/network";
export * as rpc from "./areas/rpc";
export * as sim from "./areas/sim";
export * as storage from "./areas/storage";
export { API_FILES, API_SERVICES, createApiRegistry } from "./files";
