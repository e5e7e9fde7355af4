import { iam } from "@limiquantix/api";
import { toTimestamp } from "../rpc/convert/common";
import { type RpcRoute, route } from "../rpc/route";
import { permissionsOf } from "./identity/access-claims";
import type { AuthService, TokenPair } from "./identity/auth-service";
import type { UserService } from "./identity/user-service";
import { userToProto } from "./convert/user";

function pairToProto(p: TokenPair) {
  return {
    accessToken: p.accessToken,
    accessTokenExpireTime: toTimestamp(p.accessTokenExpiresAt.toISOString()),
    refreshToken: p.refreshToken,
    refreshTokenExpireTime: toTimestamp(p.refreshTokenExpiresAt.toISOString()),
    user: userToProto(p.user),
  };
}

/** authHandler answers AuthService calls: sign in, refresh, sign out, and who the caller is. */
export function authHandler(auth: AuthService, users: UserService): RpcRoute {
  return route(iam.AuthService, {
    async login(ctx, req) {
      return pairToProto(await auth.login(ctx, req.username, req.password));
    },
    async refresh(_ctx, req) {
      return pairToProto(await auth.refresh(req.refreshToken));
    },
    async logout(ctx, req) {
      await auth.logout(ctx, req.refreshToken);
      return {};
    },
    async whoAmI(ctx) {
      const p = ctx.principal;
      const user = p.kind === "user" ? await users.get(ctx, p.id).catch(() => undefined) : undefined;
      return {
        ...(user ? { user: userToProto(user) } : {}),
        permissions: permissionsOf(p),
      };
    },
  });
}
