import { create } from "@bufbuild/protobuf";
import { iam } from "@limiquantix/api";
import type { User } from "@limiquantix/domain";
import { fromTimestamp, pageRequestOf, pageResponseOf, toTimestamp } from "../rpc/convert/common";
import { labelSelectorOf } from "../rpc/convert/request-fields";
import { type RpcRoute, route } from "../rpc/route";
import { membershipsOf, roleCodec, userRoleOf } from "./convert/user";
import { SERVICE_ACCOUNT_LABEL, type ServiceAccountService } from "./identity/service-account-service";

/** serviceAccountToProto writes a service account (its marking label left out). */
export function serviceAccountToProto(u: User): iam.ServiceAccount {
  const { [SERVICE_ACCOUNT_LABEL]: _marker, ...labels } = u.labels;
  return create(iam.ServiceAccountSchema, {
    id: u.id,
    name: u.username,
    labels,
    resourceVersion: BigInt(u.resourceVersion),
    createTime: toTimestamp(u.createdAt),
    updateTime: toTimestamp(u.updatedAt),
    description: u.displayName,
    role: u.role === "none" ? iam.Role.UNSPECIFIED : roleCodec.toProto(u.role),
    projectMemberships: u.projectMemberships.map((m) => ({
      projectId: m.projectId,
      role: roleCodec.toProto(m.role),
    })),
  });
}

function expiryOf(ts: Parameters<typeof fromTimestamp>[0]): Date | undefined {
  const iso = fromTimestamp(ts);
  return iso ? new Date(iso) : undefined;
}

/** serviceAccountHandler answers ServiceAccountService calls. */
export function serviceAccountHandler(accounts: ServiceAccountService): RpcRoute {
  return route(iam.ServiceAccountService, {
    async createServiceAccount(ctx, req) {
      const tokenExpiresAt = expiryOf(req.tokenExpireTime);
      const created = await accounts.create(ctx, {
        name: req.name,
        description: req.description,
        role: userRoleOf(req.role),
        projectMemberships: membershipsOf(req.projectMemberships, "project_memberships"),
        labels: { ...req.labels },
        ...(tokenExpiresAt ? { tokenExpiresAt } : {}),
      });
      return {
        serviceAccount: serviceAccountToProto(created.account),
        token: created.token,
        tokenExpireTime: toTimestamp(created.expiresAt.toISOString()),
      };
    },
    async getServiceAccount(ctx, req) {
      return { serviceAccount: serviceAccountToProto(await accounts.get(ctx, req.id)) };
    },
    async listServiceAccounts(ctx, req) {
      labelSelectorOf(req.labelSelector); // refuses a bad selector naming label_selector
      const page = await accounts.list(ctx, req.labelSelector, pageRequestOf(req));
      return { serviceAccounts: page.items.map(serviceAccountToProto), ...pageResponseOf(page) };
    },
    async deleteServiceAccount(ctx, req) {
      await accounts.delete(ctx, req.id);
      return {};
    },
    async issueServiceAccountToken(ctx, req) {
      const issued = await accounts.issue(ctx, req.id, expiryOf(req.tokenExpireTime));
      return { token: issued.token, tokenExpireTime: toTimestamp(issued.expiresAt.toISOString()) };
    },
    async revokeServiceAccountTokens(ctx, req) {
      return { revoked: await accounts.revoke(ctx, req.id) };
    },
  });
}
