import type { ResourceKind } from "@limiquantix/domain";
import type { PolicyRule } from "./policy-rule";

const pub = (audited = false): PolicyRule => ({ access: "public", audited });
const signedIn = (audited = false): PolicyRule => ({ access: "authenticated", audited });
const self = (audited: boolean): PolicyRule => ({ access: "self", audited });
/** A node agent speaking for itself (the request's nodeId), or an admin. */
const node: PolicyRule = { access: "node", audited: false };
/** A cluster-wide read open to project members too. */
const catalog = (kind: ResourceKind): PolicyRule => ({
  access: "cluster",
  need: "viewer",
  audited: false,
  catalog: true,
  kind,
});
const clusterRead = (kind: ResourceKind): PolicyRule => ({
  access: "cluster",
  need: "viewer",
  audited: false,
  kind,
});
const clusterWrite = (kind: ResourceKind, need: "operator" | "admin" = "admin"): PolicyRule => ({
  access: "cluster",
  need,
  audited: true,
  kind,
});
/** A read of one resource of a project-scoped kind, named by id. */
const readById = (kind: ResourceKind, field = "id"): PolicyRule => ({
  access: "project",
  need: "viewer",
  audited: false,
  target: { by: "resource", kind, field },
});
/** A change of one resource of a project-scoped kind, named by id. */
const writeById = (kind: ResourceKind, field = "id", subject?: ResourceKind): PolicyRule => ({
  access: "project",
  need: "operator",
  audited: true,
  target: { by: "resource", kind, field },
  ...(subject ? { kind: subject } : {}),
});
/** A list or watch of a project-scoped kind, narrowed by the request's project. */
const listIn = (kind: ResourceKind, field = "projectId"): PolicyRule => ({
  access: "project",
  need: "viewer",
  audited: false,
  target: { by: "project", field },
  kind,
});
/** A create in the request's project. */
const createIn = (kind: ResourceKind, field = "projectId"): PolicyRule => ({
  access: "project",
  need: "operator",
  audited: true,
  target: { by: "project", field },
  kind,
});

/**
 * POLICY maps every RPC of the API (`package.Service/Method`) to what its caller needs. The
 * authorising interceptor refuses a call whose RPC has no entry, and a test fails when an RPC of
 * any proto is missing here. Roles: viewer reads; operator also changes VMs, volumes, networks,
 * security groups, snapshots and migrations, cordons and drains nodes, approves and applies DRS
 * recommendations and acknowledges alerts; admin does everything, including users, projects,
 * clusters, nodes (registering them, and the join tokens agents join with), pools, images, alert
 * rules and the audit log. A node agent may only send its own node's heartbeats.
 */
export const POLICY: Readonly<Record<string, PolicyRule>> = {
  // Authentication
  "limiquantix.iam.v1.AuthService/Login": pub(true),
  "limiquantix.iam.v1.AuthService/Refresh": pub(),
  "limiquantix.iam.v1.AuthService/Logout": pub(true),
  "limiquantix.iam.v1.AuthService/WhoAmI": signedIn(),
  // Users
  "limiquantix.iam.v1.UserService/CreateUser": clusterWrite("User"),
  "limiquantix.iam.v1.UserService/GetUser": self(false),
  "limiquantix.iam.v1.UserService/ListUsers": {
    access: "cluster",
    need: "admin",
    audited: false,
    kind: "User",
  },
  "limiquantix.iam.v1.UserService/UpdateUser": clusterWrite("User"),
  "limiquantix.iam.v1.UserService/DeleteUser": clusterWrite("User"),
  "limiquantix.iam.v1.UserService/SetPassword": self(true),
  // Service accounts: admins only
  "limiquantix.iam.v1.ServiceAccountService/CreateServiceAccount": clusterWrite("User"),
  "limiquantix.iam.v1.ServiceAccountService/GetServiceAccount": {
    access: "cluster",
    need: "admin",
    audited: false,
    kind: "User",
  },
  "limiquantix.iam.v1.ServiceAccountService/ListServiceAccounts": {
    access: "cluster",
    need: "admin",
    audited: false,
    kind: "User",
  },
  "limiquantix.iam.v1.ServiceAccountService/DeleteServiceAccount": clusterWrite("User"),
  "limiquantix.iam.v1.ServiceAccountService/IssueServiceAccountToken": clusterWrite("User"),
  "limiquantix.iam.v1.ServiceAccountService/RevokeServiceAccountTokens": clusterWrite("User"),
  // Projects: members read their own; admins manage them.
  "limiquantix.iam.v1.ProjectService/CreateProject": clusterWrite("Project"),
  "limiquantix.iam.v1.ProjectService/GetProject": readById("Project"),
  "limiquantix.iam.v1.ProjectService/ListProjects": catalog("Project"),
  "limiquantix.iam.v1.ProjectService/UpdateProject": clusterWrite("Project"),
  "limiquantix.iam.v1.ProjectService/DeleteProject": clusterWrite("Project"),
  // Audit
  "limiquantix.audit.v1.AuditService/ListAuditEntries": {
    access: "cluster",
    need: "admin",
    audited: false,
  },
  // Node join tokens: admins manage them; agents join with one (the token is their credential)
  // and keep their own credentials fresh.
  "limiquantix.compute.v1.NodeJoinService/CreateJoinToken": clusterWrite("NodeJoinToken"),
  "limiquantix.compute.v1.NodeJoinService/GetJoinToken": {
    access: "cluster",
    need: "admin",
    audited: false,
    kind: "NodeJoinToken",
  },
  "limiquantix.compute.v1.NodeJoinService/ListJoinTokens": {
    access: "cluster",
    need: "admin",
    audited: false,
    kind: "NodeJoinToken",
  },
  "limiquantix.compute.v1.NodeJoinService/DeleteJoinToken": clusterWrite("NodeJoinToken"),
  "limiquantix.compute.v1.NodeJoinService/JoinNode": pub(true),
  "limiquantix.compute.v1.NodeJoinService/RefreshNodeCredentials": pub(true),
  // Clusters
  "limiquantix.compute.v1.ClusterService/CreateCluster": clusterWrite("Cluster"),
  "limiquantix.compute.v1.ClusterService/GetCluster": catalog("Cluster"),
  "limiquantix.compute.v1.ClusterService/ListClusters": catalog("Cluster"),
  "limiquantix.compute.v1.ClusterService/UpdateCluster": clusterWrite("Cluster"),
  "limiquantix.compute.v1.ClusterService/DeleteCluster": clusterWrite("Cluster"),
  // Nodes
  // Agents join with a join token (NodeJoinService/JoinNode); registering a node directly is an admin's.
  "limiquantix.compute.v1.NodeService/RegisterNode": clusterWrite("Node"),
  "limiquantix.compute.v1.NodeService/Heartbeat": node,
  "limiquantix.compute.v1.NodeService/GetNode": catalog("Node"),
  "limiquantix.compute.v1.NodeService/ListNodes": catalog("Node"),
  "limiquantix.compute.v1.NodeService/WatchNode": catalog("Node"),
  "limiquantix.compute.v1.NodeService/WatchNodes": catalog("Node"),
  "limiquantix.compute.v1.NodeService/GetNodeMetrics": catalog("Node"),
  "limiquantix.compute.v1.NodeService/UpdateNode": clusterWrite("Node"),
  "limiquantix.compute.v1.NodeService/DeleteNode": clusterWrite("Node"),
  "limiquantix.compute.v1.NodeService/DecommissionNode": clusterWrite("Node"),
  "limiquantix.compute.v1.NodeService/ConfirmNodeFenced": clusterWrite("Node"),
  "limiquantix.compute.v1.NodeService/CordonNode": clusterWrite("Node", "operator"),
  "limiquantix.compute.v1.NodeService/UncordonNode": clusterWrite("Node", "operator"),
  "limiquantix.compute.v1.NodeService/DrainNode": clusterWrite("Node", "operator"),
  "limiquantix.compute.v1.NodeService/AddTaint": clusterWrite("Node", "operator"),
  "limiquantix.compute.v1.NodeService/RemoveTaint": clusterWrite("Node", "operator"),
  // Virtual machines
  "limiquantix.compute.v1.VMService/CreateVM": createIn("VirtualMachine"),
  "limiquantix.compute.v1.VMService/GetVM": readById("VirtualMachine"),
  "limiquantix.compute.v1.VMService/ListVMs": listIn("VirtualMachine"),
  "limiquantix.compute.v1.VMService/WatchVM": readById("VirtualMachine"),
  "limiquantix.compute.v1.VMService/WatchVMs": listIn("VirtualMachine"),
  "limiquantix.compute.v1.VMService/UpdateVM": writeById("VirtualMachine"),
  "limiquantix.compute.v1.VMService/DeleteVM": writeById("VirtualMachine"),
  "limiquantix.compute.v1.VMService/StartVM": writeById("VirtualMachine"),
  "limiquantix.compute.v1.VMService/StopVM": writeById("VirtualMachine"),
  "limiquantix.compute.v1.VMService/RebootVM": writeById("VirtualMachine"),
  "limiquantix.compute.v1.VMService/PauseVM": writeById("VirtualMachine"),
  "limiquantix.compute.v1.VMService/ResumeVM": writeById("VirtualMachine"),
  "limiquantix.compute.v1.VMService/SuspendVM": writeById("VirtualMachine"),
  "limiquantix.compute.v1.VMService/MigrateVM": writeById("VirtualMachine"),
  "limiquantix.compute.v1.VMService/CloneVM": writeById("VirtualMachine"),
  "limiquantix.compute.v1.VMService/CreateSnapshot": writeById("VirtualMachine", "vmId", "VmSnapshot"),
  "limiquantix.compute.v1.VMService/ListSnapshots": readById("VirtualMachine", "vmId"),
  "limiquantix.compute.v1.VMService/RevertToSnapshot": writeById("VirtualMachine", "vmId", "VmSnapshot"),
  "limiquantix.compute.v1.VMService/DeleteSnapshot": writeById("VirtualMachine", "vmId", "VmSnapshot"),
  "limiquantix.compute.v1.VMService/AttachVolume": writeById("VirtualMachine", "vmId"),
  "limiquantix.compute.v1.VMService/DetachVolume": writeById("VirtualMachine", "vmId"),
  // DRS
  "limiquantix.sim.v1.SimulationService/FailNode": clusterWrite("Node"),
  "limiquantix.sim.v1.SimulationService/SetVmLoad": clusterWrite("VirtualMachine"),
  "limiquantix.drs.v1.DRSService/GetRecommendations": clusterRead("DrsRecommendation"),
  "limiquantix.drs.v1.DRSService/WatchRecommendations": clusterRead("DrsRecommendation"),
  "limiquantix.drs.v1.DRSService/GetStatus": clusterRead("Cluster"),
  "limiquantix.drs.v1.DRSService/ApproveRecommendation": clusterWrite("DrsRecommendation", "operator"),
  "limiquantix.drs.v1.DRSService/RejectRecommendation": clusterWrite("DrsRecommendation", "operator"),
  "limiquantix.drs.v1.DRSService/ApplyRecommendation": clusterWrite("DrsRecommendation", "operator"),
  "limiquantix.drs.v1.DRSService/RunNow": clusterWrite("Cluster", "operator"),
  // Alerts
  "limiquantix.alert.v1.AlertService/CreateAlertRule": clusterWrite("AlertRule"),
  "limiquantix.alert.v1.AlertService/GetAlertRule": clusterRead("AlertRule"),
  "limiquantix.alert.v1.AlertService/ListAlertRules": clusterRead("AlertRule"),
  "limiquantix.alert.v1.AlertService/UpdateAlertRule": clusterWrite("AlertRule"),
  "limiquantix.alert.v1.AlertService/DeleteAlertRule": clusterWrite("AlertRule"),
  // Members see the alerts of their project's resources (VMs, project pools); the rest needs a global role.
  "limiquantix.alert.v1.AlertService/ListAlerts": listIn("Alert"),
  "limiquantix.alert.v1.AlertService/GetAlert": readById("Alert"),
  "limiquantix.alert.v1.AlertService/WatchAlerts": listIn("Alert"),
  "limiquantix.alert.v1.AlertService/AcknowledgeAlert": clusterWrite("Alert", "operator"),
  "limiquantix.alert.v1.AlertService/ResolveAlert": clusterWrite("Alert", "operator"),
  // Events
  "limiquantix.events.v1.EventService/ListEvents": listIn("VirtualMachine"),
  "limiquantix.events.v1.EventService/StreamEvents": listIn("VirtualMachine"),
  // Networks and security groups
  "limiquantix.network.v1.VirtualNetworkService/CreateVirtualNetwork": createIn("VirtualNetwork"),
  "limiquantix.network.v1.VirtualNetworkService/GetVirtualNetwork": readById("VirtualNetwork"),
  "limiquantix.network.v1.VirtualNetworkService/ListVirtualNetworks": listIn("VirtualNetwork"),
  "limiquantix.network.v1.VirtualNetworkService/WatchVirtualNetworks": listIn("VirtualNetwork"),
  "limiquantix.network.v1.VirtualNetworkService/GetNetworkTopology": listIn("VirtualNetwork"),
  "limiquantix.network.v1.VirtualNetworkService/UpdateVirtualNetwork": writeById("VirtualNetwork"),
  "limiquantix.network.v1.VirtualNetworkService/DeleteVirtualNetwork": writeById("VirtualNetwork"),
  "limiquantix.network.v1.SecurityGroupService/CreateSecurityGroup": createIn("SecurityGroup"),
  "limiquantix.network.v1.SecurityGroupService/GetSecurityGroup": readById("SecurityGroup"),
  "limiquantix.network.v1.SecurityGroupService/ListSecurityGroups": listIn("SecurityGroup"),
  "limiquantix.network.v1.SecurityGroupService/UpdateSecurityGroup": writeById("SecurityGroup"),
  "limiquantix.network.v1.SecurityGroupService/DeleteSecurityGroup": writeById("SecurityGroup"),
  "limiquantix.network.v1.SecurityGroupService/AddRule": writeById("SecurityGroup", "securityGroupId"),
  "limiquantix.network.v1.SecurityGroupService/RemoveRule": writeById("SecurityGroup", "securityGroupId"),
  "limiquantix.network.v1.SecurityGroupService/AssignToVM": writeById("SecurityGroup", "securityGroupId"),
  "limiquantix.network.v1.SecurityGroupService/UnassignFromVM": writeById("SecurityGroup", "securityGroupId"),
  // Images and storage pools: a shared catalog
  "limiquantix.storage.v1.ImageService/CreateImage": clusterWrite("Image"),
  "limiquantix.storage.v1.ImageService/GetImage": catalog("Image"),
  "limiquantix.storage.v1.ImageService/ListImages": catalog("Image"),
  "limiquantix.storage.v1.ImageService/UpdateImage": clusterWrite("Image"),
  "limiquantix.storage.v1.ImageService/DeleteImage": clusterWrite("Image"),
  "limiquantix.storage.v1.StoragePoolService/CreateStoragePool": clusterWrite("StoragePool"),
  "limiquantix.storage.v1.StoragePoolService/GetStoragePool": catalog("StoragePool"),
  "limiquantix.storage.v1.StoragePoolService/ListStoragePools": catalog("StoragePool"),
  "limiquantix.storage.v1.StoragePoolService/UpdateStoragePool": clusterWrite("StoragePool"),
  "limiquantix.storage.v1.StoragePoolService/DeleteStoragePool": clusterWrite("StoragePool"),
  // Volumes
  "limiquantix.storage.v1.VolumeService/CreateVolume": createIn("Volume"),
  "limiquantix.storage.v1.VolumeService/GetVolume": readById("Volume"),
  "limiquantix.storage.v1.VolumeService/ListVolumes": listIn("Volume"),
  "limiquantix.storage.v1.VolumeService/WatchVolumes": listIn("Volume"),
  "limiquantix.storage.v1.VolumeService/UpdateVolume": writeById("Volume"),
  "limiquantix.storage.v1.VolumeService/DeleteVolume": writeById("Volume"),
  "limiquantix.storage.v1.VolumeService/ResizeVolume": writeById("Volume"),
  "limiquantix.storage.v1.VolumeService/AttachVolume": writeById("Volume"),
  "limiquantix.storage.v1.VolumeService/DetachVolume": writeById("Volume"),
  "limiquantix.storage.v1.VolumeService/CloneVolume": writeById("Volume"),
  "limiquantix.storage.v1.VolumeService/CreateVolumeSnapshot": writeById(
    "Volume",
    "volumeId",
    "VolumeSnapshot",
  ),
  "limiquantix.storage.v1.VolumeService/ListVolumeSnapshots": readById("Volume", "volumeId"),
  "limiquantix.storage.v1.VolumeService/RestoreVolumeSnapshot": writeById(
    "Volume",
    "volumeId",
    "VolumeSnapshot",
  ),
  "limiquantix.storage.v1.VolumeService/DeleteVolumeSnapshot": writeById(
    "Volume",
    "volumeId",
    "VolumeSnapshot",
  ),
  // gRPC health checking stays open, as /health and /ready do, so probes need no credentials.
  "grpc.health.v1.Health/Check": pub(),
  "grpc.health.v1.Health/Watch": pub(),
};
