import { describe, expect, it } from "vitest";
import { API_FILES, API_SERVICES, compute, createApiRegistry, health } from "./index";

const REQUIRED: Record<string, string[]> = {
  "limiquantix.compute.v1.VMService": [
    "CreateVM",
    "GetVM",
    "ListVMs",
    "UpdateVM",
    "DeleteVM",
    "StartVM",
    "StopVM",
    "RebootVM",
    "PauseVM",
    "ResumeVM",
    "SuspendVM",
    "CreateSnapshot",
    "ListSnapshots",
    "RevertToSnapshot",
    "DeleteSnapshot",
    "MigrateVM",
    "CloneVM",
    "AttachVolume",
    "DetachVolume",
    "WatchVM",
    "WatchVMs",
  ],
  "limiquantix.compute.v1.NodeService": [
    "RegisterNode",
    "GetNode",
    "ListNodes",
    "UpdateNode",
    "DecommissionNode",
    "Heartbeat",
    "CordonNode",
    "UncordonNode",
    "DrainNode",
    "AddTaint",
    "RemoveTaint",
    "GetNodeMetrics",
    "WatchNode",
    "WatchNodes",
  ],
  "limiquantix.compute.v1.NodeJoinService": [
    "CreateJoinToken",
    "ListJoinTokens",
    "GetJoinToken",
    "DeleteJoinToken",
    "JoinNode",
    "RefreshNodeCredentials",
  ],
  "limiquantix.compute.v1.ClusterService": [
    "CreateCluster",
    "GetCluster",
    "ListClusters",
    "UpdateCluster",
    "DeleteCluster",
  ],
  "limiquantix.iam.v1.ProjectService": [
    "CreateProject",
    "GetProject",
    "ListProjects",
    "UpdateProject",
    "DeleteProject",
  ],
  "limiquantix.storage.v1.StoragePoolService": ["CreateStoragePool", "ListStoragePools"],
  "limiquantix.storage.v1.VolumeService": [
    "CreateVolume",
    "GetVolume",
    "ListVolumes",
    "ResizeVolume",
    "AttachVolume",
    "DetachVolume",
    "CloneVolume",
    "DeleteVolume",
    "CreateVolumeSnapshot",
    "ListVolumeSnapshots",
    "DeleteVolumeSnapshot",
  ],
  "limiquantix.storage.v1.ImageService": ["CreateImage", "ListImages"],
  "limiquantix.network.v1.VirtualNetworkService": ["CreateVirtualNetwork", "GetNetworkTopology"],
  "limiquantix.network.v1.SecurityGroupService": [
    "CreateSecurityGroup",
    "AddRule",
    "RemoveRule",
    "AssignToVM",
  ],
  "limiquantix.alert.v1.AlertService": [
    "ListAlerts",
    "AcknowledgeAlert",
    "ResolveAlert",
    "CreateAlertRule",
    "ListAlertRules",
  ],
  "limiquantix.drs.v1.DRSService": [
    "GetRecommendations",
    "ApproveRecommendation",
    "RejectRecommendation",
    "ApplyRecommendation",
    "GetStatus",
    "RunNow",
  ],
  "limiquantix.iam.v1.AuthService": ["Login", "Refresh", "Logout", "WhoAmI"],
  "limiquantix.iam.v1.UserService": ["CreateUser", "GetUser", "ListUsers", "UpdateUser", "DeleteUser"],
  "limiquantix.iam.v1.ServiceAccountService": ["CreateServiceAccount", "IssueServiceAccountToken"],
  "limiquantix.audit.v1.AuditService": ["ListAuditEntries"],
  "limiquantix.events.v1.EventService": ["StreamEvents"],
  "grpc.health.v1.Health": ["Check", "Watch"],
};

describe("service descriptors", () => {
  it("load every service with the methods the API promises", () => {
    const byName = new Map(API_SERVICES.map((s) => [s.typeName, s]));
    for (const [service, methods] of Object.entries(REQUIRED)) {
      const desc = byName.get(service);
      expect(desc, service).toBeDefined();
      const names = desc?.methods.map((m) => m.name) ?? [];
      for (const m of methods) expect(names, `${service}/${m}`).toContain(m);
    }
  });

  it("make every Watch call server-streaming and the rest unary", () => {
    for (const service of API_SERVICES)
      for (const method of service.methods) {
        const streams = method.name.startsWith("Watch") || method.name === "StreamEvents";
        expect(method.methodKind, `${service.typeName}/${method.name}`).toBe(
          streams ? "server_streaming" : "unary",
        );
      }
  });

  it("export the descriptors under their area namespace", () => {
    expect(compute.VMService.typeName).toBe("limiquantix.compute.v1.VMService");
    expect(compute.VMService.method.stopVM.input).toBe(compute.StopVMRequestSchema);
    expect(health.Health.method.check.name).toBe("Check");
  });

  it("build a registry that resolves messages of every area", () => {
    const registry = createApiRegistry();
    expect(API_FILES.length).toBeGreaterThan(10);
    for (const name of [
      "limiquantix.compute.v1.VirtualMachine",
      "limiquantix.storage.v1.Volume",
      "limiquantix.network.v1.SecurityGroup",
      "limiquantix.events.v1.Event",
      "google.protobuf.Timestamp",
    ])
      expect(registry.getMessage(name), name).toBeDefined();
  });

  it("give every list request paging and filters, and every list response a next page token and total", () => {
    for (const service of API_SERVICES)
      for (const method of service.methods.filter((m) => m.name.startsWith("List"))) {
        const input = method.input.fields.map((f) => f.name);
        const output = method.output.fields.map((f) => f.name);
        expect(input, method.name).toEqual(
          expect.arrayContaining(["page_size", "page_token", "label_selector"]),
        );
        expect(output, method.name).toEqual(expect.arrayContaining(["next_page_token", "total_count"]));
      }
  });
});
