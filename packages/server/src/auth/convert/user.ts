import { create } from "@bufbuild/protobuf";
import { iam } from "@limiquantix/api";
import { Role, type User, type UserRole } from "@limiquantix/domain";
import { toTimestamp } from "../../rpc/convert/common";
import { enumCodec } from "../../rpc/convert/enum-codec";
import { givenLabels } from "../../rpc/convert/request-fields";
import { readUpdateMask } from "../../rpc/convert/update-mask";
import type { Membership } from "../identity/user-service";

/** roleCodec pairs the domain's roles with the proto's ROLE_* values. */
export const roleCodec = enumCodec(iam.RoleSchema, Role.options, "Role");

/** userRoleOf reads a user's cluster-wide role: ROLE_UNSPECIFIED is none. */
export function userRoleOf(role: iam.Role, field = "role"): UserRole {
  return roleCodec.fromProto(role, field) ?? "none";
}

/** userToProto writes a user; the password hash never leaves the server. */
export function userToProto(u: User): iam.User {
  return create(iam.UserSchema, {
    id: u.id,
    username: u.username,
    labels: { ...u.labels },
    resourceVersion: BigInt(u.resourceVersion),
    createTime: toTimestamp(u.createdAt),
    updateTime: toTimestamp(u.updatedAt),
    email: u.email,
    displayName: u.displayName,
    role: u.role === "none" ? iam.Role.UNSPECIFIED : roleCodec.toProto(u.role),
    projectMemberships: u.projectMemberships.map((m) => ({
      projectId: m.projectId,
      role: roleCodec.toProto(m.role),
    })),
    disabled: u.disabled,
    lastLoginTime: toTimestamp(u.lastLoginAt),
  });
}

/** membershipsOf reads project memberships, naming a bad role by its wire path. */
export function membershipsOf(list: readonly iam.ProjectMembership[], field: string): Membership[] {
  return list.map((m, i) => ({
    projectId: m.projectId,
    role: roleCodec.required(m.role, `${field}[${i}].role`),
  }));
}

/** UPDATE_USER_PATHS are the update_mask paths UpdateUser knows. */
export const UPDATE_USER_PATHS = [
  "labels",
  "email",
  "display_name",
  "role",
  "project_memberships",
  "disabled",
] as const;

/**
 * userChangeOf reads an UpdateUserRequest into the change to apply: the masked fields, or with no
 * mask the fields given (a false `disabled` or an empty membership list then needs the mask).
 */
export function userChangeOf(req: iam.UpdateUserRequest): (current: User) => User {
  const mask = readUpdateMask(req.updateMask, UPDATE_USER_PATHS);
  const labels = mask.applies("labels", givenLabels(req.labels)) ? { ...req.labels } : undefined;
  const email = mask.applies("email", req.email !== "") ? req.email : undefined;
  const displayName = mask.applies("display_name", req.displayName !== "") ? req.displayName : undefined;
  // With the mask, ROLE_UNSPECIFIED takes the cluster-wide role away.
  const role = mask.applies("role", req.role !== 0) ? userRoleOf(req.role) : undefined;
  const memberships = mask.applies("project_memberships", req.projectMemberships.length > 0)
    ? membershipsOf(req.projectMemberships, "project_memberships")
    : undefined;
  const disabled = mask.applies("disabled", req.disabled) ? req.disabled : undefined;
  return (u) => ({
    ...u,
    labels: labels ?? u.labels,
    email: email ?? u.email,
    displayName: displayName ?? u.displayName,
    role: role ?? u.role,
    projectMemberships: memberships ?? u.projectMemberships,
    disabled: disabled ?? u.disabled,
  });
}
