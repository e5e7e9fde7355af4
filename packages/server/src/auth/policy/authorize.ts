import {
  notFound,
  permissionDenied,
  type ResourceKind,
  type Role,
  unauthenticated,
} from "@limiquantix/domain";
import type { Principal, ProjectRole } from "../../context/call-context";
import { type PolicyRule, ROLE_RANK } from "./policy-rule";

/** ProjectLookup finds the project of a resource for authorisation. */
export interface ProjectLookup {
  /**
   * projectOf returns the project of the resource (its own id for a project), `null` for a
   * resource outside any project, or undefined when there is no such resource.
   */
  projectOf(kind: ResourceKind, id: string): Promise<string | null | undefined>;
}

/** Grant is what an allowed call was allowed on, for the audit log. */
export interface Grant {
  readonly kind?: ResourceKind;
  readonly resourceId?: string;
  readonly projectId?: string;
}

/** RequestFields is a decoded request as the authoriser reads it: fields by their JSON-less TypeScript names. */
export type RequestFields = Record<string, unknown>;

function rank(role: Role | undefined): number {
  return role ? ROLE_RANK[role] : 0;
}

function projectRole(principal: Principal, projectId: string): Role | undefined {
  return principal.projects?.find((p) => p.projectId === projectId)?.role;
}

function describe(principal: Principal): string {
  return `${principal.kind} "${principal.name}"`;
}

function deny(principal: Principal, need: Role, what: string): never {
  throw permissionDenied(`${describe(principal)} may not ${what}: it needs the ${need} role`, {
    reason: "role-required",
    requiredRole: need,
  });
}

function stringField(message: RequestFields, field: string): string {
  const v = message[field];
  return typeof v === "string" ? v : "";
}

/**
 * authorize decides whether principal may make a call governed by rule with this request. It
 * returns what the call was allowed on, or throws: Unauthenticated for an anonymous caller of a
 * call that needs one, PermissionDenied for a known caller whose role is too low, and NotFound
 * for a resource or project outside every project the caller belongs to, so that a project's
 * members cannot learn what other projects hold (the answer is the one a missing resource gets).
 *
 * A list, watch or create by a caller bound only to projects names its project in the request;
 * when the caller belongs to exactly one project and leaves the field empty, the field is set
 * to that project (the request is narrowed in place), so it lists only that project.
 */
export async function authorize(
  principal: Principal,
  rule: PolicyRule,
  message: RequestFields,
  what: string,
  lookup: ProjectLookup,
): Promise<Grant> {
  if (principal.kind === "system") return {};
  if (rule.access === "public") return {};
  if (principal.kind === "anonymous")
    throw unauthenticated(
      "this call needs credentials: log in with AuthService/Login and send the access token as 'authorization: Bearer <token>'",
      {
        reason: "credentials-required",
      },
    );
  const global = rank(principal.role);
  switch (rule.access) {
    case "authenticated":
      return {};
    case "self": {
      const id = stringField(message, "id");
      if (global >= ROLE_RANK.admin || (principal.kind === "user" && id === principal.id))
        return { kind: "User", resourceId: id };
      // Another user's record: as if absent, unless the caller could list users anyway.
      throw notFound("User", id);
    }
    case "node": {
      const nodeId = stringField(message, "nodeId");
      if (global >= ROLE_RANK.admin) return { kind: "Node", ...(nodeId ? { resourceId: nodeId } : {}) };
      if (principal.kind !== "node") return deny(principal, "admin", what);
      // A node speaks only for itself, and must say so.
      if (nodeId !== principal.id)
        throw permissionDenied(`node "${principal.name}" may not speak for node "${nodeId}"`, {
          reason: "node-impersonation",
        });
      return { kind: "Node", resourceId: nodeId };
    }
    case "cluster": {
      if (global >= ROLE_RANK[rule.need]) return rule.kind ? { kind: rule.kind } : {};
      if (rule.catalog && (principal.projects?.length ?? 0) > 0) return rule.kind ? { kind: rule.kind } : {};
      return deny(principal, rule.need, what);
    }
    case "project": {
      const target = rule.target;
      if (target.by === "project") {
        let projectId = stringField(message, target.field);
        if (global >= ROLE_RANK[rule.need])
          return { ...(rule.kind ? { kind: rule.kind } : {}), ...(projectId ? { projectId } : {}) };
        const projects = principal.projects ?? [];
        if (!projectId) {
          if (projects.length === 0) return deny(principal, rule.need, what);
          if (projects.length > 1)
            throw permissionDenied(
              `${describe(principal)} belongs to several projects: name one in project_id`,
              {
                reason: "project-required",
              },
            );
          projectId = (projects[0] as ProjectRole).projectId;
          message[target.field] = projectId;
        }
        const role = projectRole(principal, projectId);
        // Only a caller that sees every project may learn that this one exists.
        if (!role && global === 0) throw notFound("Project", projectId);
        if (Math.max(rank(role), global) < ROLE_RANK[rule.need]) return deny(principal, rule.need, what);
        return { ...(rule.kind ? { kind: rule.kind } : {}), projectId };
      }
      const id = stringField(message, target.field);
      const kind = rule.kind ?? target.kind;
      if (global >= ROLE_RANK[rule.need]) return { kind, resourceId: id };
      const projectId = await lookup.projectOf(target.kind, id);
      // A missing resource answers as the service would; one in another project answers the same.
      if (projectId === undefined) throw notFound(target.kind, id);
      if (projectId === null) return deny(principal, rule.need, what);
      const role = projectRole(principal, projectId);
      if (!role && global === 0) throw notFound(target.kind, id);
      if (Math.max(rank(role), global) < ROLE_RANK[rule.need]) return deny(principal, rule.need, what);
      return { kind, resourceId: id, projectId };
    }
  }
}
