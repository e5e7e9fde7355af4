import type { RateLimiter, SessionStore } from "@limiquantix/domain";
import { ContainerModule } from "inversify";
import { CORE } from "../composition/core-module";
import { RpcRoute } from "../rpc/route";
import type { ServiceDeps } from "../shared/service-deps";
import { auditHandler } from "./audit-handler";
import { authHandler } from "./auth-handler";
import { AUTH } from "./auth-ids";
import { AuthService } from "./identity/auth-service";
import type { SessionLiveness } from "./identity/session-liveness";
import { ServiceAccountService } from "./identity/service-account-service";
import { UserService } from "./identity/user-service";
import { serviceAccountHandler } from "./service-account-handler";
import type { TokenIssuer } from "./tokens/token-issuer";
import { userHandler } from "./user-handler";

/** AuthValues are what the identity area is built from: its stores, the token issuer and settings. */
export interface AuthValues {
  readonly sessions: SessionStore;
  readonly liveness: SessionLiveness;
  readonly tokens: TokenIssuer;
  readonly limits: { readonly perUser: RateLimiter; readonly perAddress: RateLimiter };
  readonly accessTokenTtlSec: number;
  readonly refreshTokenTtlSec: number;
  readonly passwordMinLength: number;
}

/** authModule binds users, sign-in and the audit log's reader, and their handlers. */
export function authModule(v: AuthValues): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(AUTH.users)
      .toDynamicValue(
        (c) =>
          new UserService(c.get<ServiceDeps>(CORE.deps), v.sessions, v.liveness, {
            minLength: v.passwordMinLength,
          }),
      )
      .inSingletonScope();
    bind(AUTH.auth)
      .toDynamicValue((c) => {
        const deps = c.get<ServiceDeps>(CORE.deps);
        return new AuthService({
          users: deps.repos.users,
          sessions: v.sessions,
          liveness: v.liveness,
          tokens: v.tokens,
          limits: v.limits,
          clock: deps.clock,
          accessTokenTtlSec: v.accessTokenTtlSec,
          refreshTokenTtlSec: v.refreshTokenTtlSec,
          logger: deps.logger,
        });
      })
      .inSingletonScope();
    bind(AUTH.serviceAccounts)
      .toDynamicValue(
        (c) =>
          new ServiceAccountService(
            c.get<ServiceDeps>(CORE.deps),
            c.get(AUTH.users),
            v.sessions,
            v.liveness,
            v.tokens,
          ),
      )
      .inSingletonScope();
    bind(RpcRoute).toDynamicValue((c) => serviceAccountHandler(c.get(AUTH.serviceAccounts)));
    bind(RpcRoute).toDynamicValue((c) => authHandler(c.get(AUTH.auth), c.get(AUTH.users)));
    bind(RpcRoute).toDynamicValue((c) => userHandler(c.get(AUTH.users)));
    bind(RpcRoute).toDynamicValue((c) => auditHandler(c.get<ServiceDeps>(CORE.deps).repos.audit));
  });
}
