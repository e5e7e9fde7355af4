import { describe, expect, it } from "vitest";
import { ANONYMOUS, type Principal } from "../../context/call-context";
import { authorize, type ProjectLookup } from "./authorize";
import { POLICY } from "./policy-table";

const projectOfVm: Record<string, string> = { "vm-p": "p", "vm-q": "q" };
const lookup: ProjectLookup = {
  async projectOf(kind, id) {
    if (kind === "Project") return id === "p" || id === "q" ? id : undefined;
    return projectOfVm[id];
  },
};

const user = (name: string, extra: Partial<Principal>): Principal => ({
  kind: "user",
  id: `u-${name}`,
  name,
  ...extra,
});
const admin = user("ada", { role: "admin" });
const operator = user("otto", { role: "operator" });
const viewer = user("vic", { role: "viewer" });
const memberP = user("pat", { projects: [{ projectId: "p", role: "operator" }] });
const viewerP = user("val", { projects: [{ projectId: "p", role: "viewer" }] });
const twoProjects = user("tom", {
  projects: [
    { projectId: "p", role: "operator" },
    { projectId: "q", role: "viewer" },
  ],
});

async function codeOf(principal: Principal, rpc: string, message: Record<string, unknown>): Promise<string> {
  const rule = POLICY[rpc];
  if (!rule) throw new Error(`no rule for ${rpc}`);
  try {
    await authorize(principal, rule, message, rpc, lookup);
    return "ok";
  } catch (e) {
    return (e as { code: string }).code;
  }
}

const VM = "limiquantix.compute.v1.VMService";

describe("authorize", () => {
  it("asks an anonymous caller to sign in, except for public calls", async () => {
    expect(await codeOf(ANONYMOUS, `${VM}/GetVM`, { id: "vm-p" })).toBe("Unauthenticated");
    expect(await codeOf(ANONYMOUS, "limiquantix.iam.v1.AuthService/Login", {})).toBe("ok");
  });

  it("ranks roles: viewers read, operators change VMs, only admins manage users and clusters", async () => {
    expect(await codeOf(viewer, `${VM}/GetVM`, { id: "vm-p" })).toBe("ok");
    expect(await codeOf(viewer, `${VM}/StartVM`, { id: "vm-p" })).toBe("PermissionDenied");
    expect(await codeOf(operator, `${VM}/StartVM`, { id: "vm-p" })).toBe("ok");
    expect(await codeOf(operator, "limiquantix.iam.v1.UserService/CreateUser", {})).toBe("PermissionDenied");
    expect(await codeOf(operator, "limiquantix.compute.v1.ClusterService/DeleteCluster", {})).toBe(
      "PermissionDenied",
    );
    expect(await codeOf(operator, "limiquantix.compute.v1.NodeService/DrainNode", {})).toBe("ok");
    expect(await codeOf(admin, "limiquantix.iam.v1.UserService/CreateUser", {})).toBe("ok");
  });

  it("hides another project's resources as missing, and lets members act by their project role", async () => {
    expect(await codeOf(memberP, `${VM}/StartVM`, { id: "vm-p" })).toBe("ok");
    expect(await codeOf(memberP, `${VM}/GetVM`, { id: "vm-q" })).toBe("NotFound");
    expect(await codeOf(memberP, `${VM}/GetVM`, { id: "vm-none" })).toBe("NotFound");
    expect(await codeOf(viewerP, `${VM}/StartVM`, { id: "vm-p" })).toBe("PermissionDenied");
    expect(await codeOf(twoProjects, `${VM}/StartVM`, { id: "vm-q" })).toBe("PermissionDenied");
  });

  it("narrows a member's list to its one project, and asks a member of several to name one", async () => {
    const req: Record<string, unknown> = { projectId: "" };
    expect(await codeOf(memberP, `${VM}/ListVMs`, req)).toBe("ok");
    expect(req.projectId).toBe("p");
    expect(await codeOf(memberP, `${VM}/ListVMs`, { projectId: "q" })).toBe("NotFound");
    expect(await codeOf(twoProjects, `${VM}/ListVMs`, { projectId: "" })).toBe("PermissionDenied");
    expect(await codeOf(twoProjects, `${VM}/ListVMs`, { projectId: "q" })).toBe("ok");
    expect(await codeOf(twoProjects, `${VM}/CreateVM`, { projectId: "q" })).toBe("PermissionDenied");
    const all: Record<string, unknown> = { projectId: "" };
    expect(await codeOf(viewer, `${VM}/ListVMs`, all)).toBe("ok");
    expect(all.projectId).toBe("");
  });

  it("lets project members read the shared catalog but not the audit log", async () => {
    expect(await codeOf(memberP, "limiquantix.compute.v1.NodeService/ListNodes", {})).toBe("ok");
    expect(await codeOf(memberP, "limiquantix.storage.v1.ImageService/ListImages", {})).toBe("ok");
    expect(await codeOf(memberP, "limiquantix.audit.v1.AuditService/ListAuditEntries", {})).toBe(
      "PermissionDenied",
    );
  });

  it("lets project members list and read their project's alerts only, and not acknowledge them", async () => {
    const ALERTS = "limiquantix.alert.v1.AlertService";
    const req: Record<string, unknown> = { projectId: "" };
    expect(await codeOf(memberP, `${ALERTS}/ListAlerts`, req)).toBe("ok");
    expect(req.projectId).toBe("p");
    expect(await codeOf(memberP, `${ALERTS}/ListAlerts`, { projectId: "q" })).toBe("NotFound");
    expect(await codeOf(memberP, `${ALERTS}/WatchAlerts`, { projectId: "p" })).toBe("ok");
    // The lookup answers alert ids as it does VM ids: "vm-p" stands for an alert of project p.
    expect(await codeOf(memberP, `${ALERTS}/GetAlert`, { id: "vm-p" })).toBe("ok");
    expect(await codeOf(memberP, `${ALERTS}/GetAlert`, { id: "vm-q" })).toBe("NotFound");
    expect(await codeOf(memberP, `${ALERTS}/AcknowledgeAlert`, { id: "vm-p" })).toBe("PermissionDenied");
    const all: Record<string, unknown> = { projectId: "" };
    expect(await codeOf(viewer, `${ALERTS}/ListAlerts`, all)).toBe("ok");
    expect(all.projectId).toBe("");
  });

  it("lets users read themselves and change their own password, not another's", async () => {
    expect(await codeOf(viewer, "limiquantix.iam.v1.UserService/GetUser", { id: "u-vic" })).toBe("ok");
    expect(await codeOf(viewer, "limiquantix.iam.v1.UserService/SetPassword", { id: "u-vic" })).toBe("ok");
    expect(await codeOf(viewer, "limiquantix.iam.v1.UserService/SetPassword", { id: "u-ada" })).toBe(
      "NotFound",
    );
    expect(await codeOf(admin, "limiquantix.iam.v1.UserService/SetPassword", { id: "u-vic" })).toBe("ok");
  });

  it("lets a node speak only for itself, and nobody but admins register nodes", async () => {
    const node: Principal = { kind: "node", id: "n1", name: "n1" };
    const hb = "limiquantix.compute.v1.NodeService/Heartbeat";
    const register = "limiquantix.compute.v1.NodeService/RegisterNode";
    expect(await codeOf(node, hb, { nodeId: "n1" })).toBe("ok");
    expect(await codeOf(node, hb, { nodeId: "n2" })).toBe("PermissionDenied");
    expect(await codeOf(node, hb, {})).toBe("PermissionDenied");
    expect(await codeOf(operator, hb, { nodeId: "n1" })).toBe("PermissionDenied");
    expect(await codeOf(admin, hb, { nodeId: "n1" })).toBe("ok");
    // Agents join with a join token instead; a node's own token registers nothing.
    expect(await codeOf(node, register, {})).toBe("PermissionDenied");
    expect(await codeOf(operator, register, {})).toBe("PermissionDenied");
    expect(await codeOf(admin, register, {})).toBe("ok");
  });

  it("keeps join tokens to admins, and lets anyone present one", async () => {
    const node: Principal = { kind: "node", id: "n1", name: "n1" };
    const svc = "limiquantix.compute.v1.NodeJoinService";
    for (const m of ["CreateJoinToken", "ListJoinTokens", "GetJoinToken", "DeleteJoinToken"]) {
      expect(await codeOf(node, `${svc}/${m}`, { id: "t" }), m).toBe("PermissionDenied");
      expect(await codeOf(operator, `${svc}/${m}`, { id: "t" }), m).toBe("PermissionDenied");
      expect(await codeOf(admin, `${svc}/${m}`, { id: "t" }), m).toBe("ok");
    }
    expect(await codeOf(ANONYMOUS, `${svc}/JoinNode`, {})).toBe("ok");
    expect(await codeOf(ANONYMOUS, `${svc}/RefreshNodeCredentials`, {})).toBe("ok");
  });
});
