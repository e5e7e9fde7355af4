import { iam } from "@limiquantix/api";
import { optionalVersion, pageRequestOf, pageResponseOf } from "../rpc/convert/common";
import { labelSelectorOf } from "../rpc/convert/request-fields";
import { type RpcRoute, route } from "../rpc/route";
import { membershipsOf, userChangeOf, userRoleOf, userToProto } from "./convert/user";
import { SERVICE_ACCOUNT_LABEL, type UserService } from "./identity/user-service";

/** userHandler answers UserService calls through the user service. */
export function userHandler(users: UserService): RpcRoute {
  return route(iam.UserService, {
    async createUser(ctx, req) {
      const user = await users.createUser(ctx, {
        username: req.username,
        email: req.email,
        displayName: req.displayName,
        role: userRoleOf(req.role),
        projectMemberships: membershipsOf(req.projectMemberships, "project_memberships"),
        labels: { ...req.labels },
        password: req.password,
      });
      return { user: userToProto(user) };
    },
    async getUser(ctx, req) {
      return { user: userToProto(await users.get(ctx, req.id)) };
    },
    async listUsers(ctx, req) {
      // Service accounts are listed by ServiceAccountService.
      labelSelectorOf(req.labelSelector); // refuses a bad selector naming label_selector
      const humans = `!${SERVICE_ACCOUNT_LABEL}`;
      const page = await users.list(
        ctx,
        { labelSelector: req.labelSelector ? `${req.labelSelector},${humans}` : humans },
        pageRequestOf(req),
      );
      return { users: page.items.map(userToProto), ...pageResponseOf(page) };
    },
    async updateUser(ctx, req) {
      const user = await users.updateUser(
        ctx,
        req.id,
        userChangeOf(req),
        optionalVersion(req.resourceVersion),
      );
      return { user: userToProto(user) };
    },
    async deleteUser(ctx, req) {
      await users.deleteUser(ctx, req.id, optionalVersion(req.resourceVersion));
      return {};
    },
    async setPassword(ctx, req) {
      await users.setPassword(ctx, req.id, req.currentPassword, req.newPassword);
      return {};
    },
  });
}
