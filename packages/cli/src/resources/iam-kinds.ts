import { timestampDate } from "@bufbuild/protobuf/wkt";
import { iam } from "@limiquantix/api";
import { age, labelsText, orNone } from "../output/table";
import { allPages, defineKind, enumName, type ResourceKind } from "./kind";

type Stamped = { createTime?: Parameters<typeof timestampDate>[0] };
const created = (t: Stamped) => age(t.createTime ? timestampDate(t.createTime) : undefined);

/** membershipsText prints project memberships as `project:ROLE,…`. */
function membershipsText(list: readonly iam.ProjectMembership[], project: (id: string) => string): string {
  return orNone(list.map((m) => `${project(m.projectId)}:${enumName(iam.Role, m.role)}`).join(","));
}

export const projectKind = defineKind<iam.Project>({
  name: "project",
  plural: "projects",
  aliases: ["proj", "projs"],
  kind: "Project",
  schema: iam.ProjectSchema,
  nameOf: (p) => p.name,
  idOf: (p) => p.id,
  columns: [
    { header: "NAME", value: (p) => p.name },
    {
      header: "VMS",
      value: (p) => `${p.usage?.vms ?? 0}${p.quota?.vms !== undefined ? `/${p.quota.vms}` : ""}`,
    },
    {
      header: "VCPUS",
      value: (p) => `${p.usage?.vcpus ?? 0}${p.quota?.vcpus !== undefined ? `/${p.quota.vcpus}` : ""}`,
    },
    { header: "DESCRIPTION", value: (p) => orNone(p.description) },
    { header: "AGE", value: created },
    { header: "ID", value: (p) => p.id, wide: true },
    { header: "LABELS", value: (p) => labelsText(p.labels), wide: true },
  ],
  list: (s, q) => {
    const c = s.client(iam.ProjectService);
    return allPages((pageToken) =>
      c
        .listProjects({ pageToken, labelSelector: q.labelSelector ?? "" })
        .then((r) => ({ items: r.projects, next: r.nextPageToken })),
    );
  },
  get: async (s, id) => (await s.client(iam.ProjectService).getProject({ id })).project!,
  create: {
    schema: iam.CreateProjectRequestSchema,
    call: async (s, req) => {
      const response = await s.client(iam.ProjectService).createProject(req as iam.CreateProjectRequest);
      return { object: response.project!, response, responseSchema: iam.CreateProjectResponseSchema };
    },
  },
  remove: async (s, p) => {
    await s.client(iam.ProjectService).deleteProject({ id: p.id });
  },
});

export const userKind = defineKind<iam.User>({
  name: "user",
  plural: "users",
  kind: "User",
  schema: iam.UserSchema,
  nameOf: (u) => u.username,
  idOf: (u) => u.id,
  lookups: ["project"],
  columns: [
    { header: "NAME", value: (u) => u.username },
    { header: "ROLE", value: (u) => enumName(iam.Role, u.role) },
    { header: "PROJECTS", value: (u, n) => membershipsText(u.projectMemberships, n.project) },
    { header: "DISABLED", value: (u) => (u.disabled ? "yes" : "no") },
    {
      header: "LAST-LOGIN",
      value: (u) => (u.lastLoginTime ? age(timestampDate(u.lastLoginTime)) : "<never>"),
    },
    { header: "AGE", value: created },
    { header: "ID", value: (u) => u.id, wide: true },
    { header: "EMAIL", value: (u) => orNone(u.email), wide: true },
  ],
  list: (s, q) => {
    const c = s.client(iam.UserService);
    return allPages((pageToken) =>
      c
        .listUsers({ pageToken, labelSelector: q.labelSelector ?? "" })
        .then((r) => ({ items: r.users, next: r.nextPageToken })),
    );
  },
  get: async (s, id) => (await s.client(iam.UserService).getUser({ id })).user!,
  create: {
    schema: iam.CreateUserRequestSchema,
    call: async (s, req) => {
      const response = await s.client(iam.UserService).createUser(req as iam.CreateUserRequest);
      return { object: response.user!, response, responseSchema: iam.CreateUserResponseSchema };
    },
  },
  remove: async (s, u) => {
    await s.client(iam.UserService).deleteUser({ id: u.id });
  },
});

export const serviceAccountKind = defineKind<iam.ServiceAccount>({
  name: "serviceaccount",
  plural: "serviceaccounts",
  aliases: ["sa", "sas", "service-account", "service-accounts"],
  kind: "ServiceAccount",
  schema: iam.ServiceAccountSchema,
  nameOf: (a) => a.name,
  idOf: (a) => a.id,
  lookups: ["project"],
  columns: [
    { header: "NAME", value: (a) => a.name },
    { header: "ROLE", value: (a) => enumName(iam.Role, a.role) },
    { header: "PROJECTS", value: (a, n) => membershipsText(a.projectMemberships, n.project) },
    { header: "AGE", value: created },
    { header: "ID", value: (a) => a.id, wide: true },
    { header: "DESCRIPTION", value: (a) => orNone(a.description), wide: true },
  ],
  list: (s, q) => {
    const c = s.client(iam.ServiceAccountService);
    return allPages((pageToken) =>
      c
        .listServiceAccounts({ pageToken, labelSelector: q.labelSelector ?? "" })
        .then((r) => ({ items: r.serviceAccounts, next: r.nextPageToken })),
    );
  },
  get: async (s, id) => (await s.client(iam.ServiceAccountService).getServiceAccount({ id })).serviceAccount!,
  create: {
    schema: iam.CreateServiceAccountRequestSchema,
    call: async (s, req) => {
      const response = await s
        .client(iam.ServiceAccountService)
        .createServiceAccount(req as iam.CreateServiceAccountRequest);
      return {
        object: response.serviceAccount!,
        response,
        responseSchema: iam.CreateServiceAccountResponseSchema,
        secrets: { token: response.token },
      };
    },
  },
  remove: async (s, a) => {
    await s.client(iam.ServiceAccountService).deleteServiceAccount({ id: a.id });
  },
});

/** IAM_KINDS are the kinds of limiquantix.iam.v1. */
export const IAM_KINDS: readonly ResourceKind[] = [projectKind, userKind, serviceAccountKind];
