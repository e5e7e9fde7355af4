import type { RateLimiter, SessionStore } from "@limiquantix/domain";
import { ContainerModule } from "inversify";
import { COMPUTE } from "../../compute/compute-ids";
import { CORE } from "../../composition/core-module";
import { RpcRoute } from "../../rpc/route";
import type { ServiceDeps } from "../../shared/service-deps";
import type { SessionLiveness } from "../identity/session-liveness";
import type { TokenIssuer } from "../tokens";
import type { ClusterCa } from "./cluster-ca";
import { JoinTokenService } from "./join-token-service";
import { NodeCredentialIssuer } from "./node-credentials";
import { nodeJoinHandler } from "./node-join-handler";
import { NODE_JOIN } from "./node-join-ids";
import { NodeJoinService } from "./node-join-service";

/** NodeJoinValues are what admitting nodes is built from: the session store, token issuer, join limiter and lifetimes. */
export interface NodeJoinValues {
  readonly sessions: SessionStore;
  readonly liveness: SessionLiveness;
  readonly tokens: TokenIssuer;
  /** Join attempts per source address (shared with sign-in's per-address limit). */
  readonly perAddress: RateLimiter;
  readonly accessTokenTtlSec: number;
  readonly refreshTokenTtlSec: number;
  /** The cluster CA that signs node certificates, when this server offers them. */
  readonly ca?: ClusterCa;
  readonly certificateDays: number;
}

/** nodeJoinModule binds join tokens, node joining and node credentials, and the NodeJoinService handler. */
export function nodeJoinModule(v: NodeJoinValues): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(NODE_JOIN.tokens)
      .toDynamicValue((c) => new JoinTokenService(c.get<ServiceDeps>(CORE.deps)))
      .inSingletonScope();
    bind(NODE_JOIN.credentials)
      .toDynamicValue((c) => {
        const deps = c.get<ServiceDeps>(CORE.deps);
        return new NodeCredentialIssuer({
          nodes: deps.repos.nodes,
          sessions: v.sessions,
          liveness: v.liveness,
          tokens: v.tokens,
          clock: deps.clock,
          accessTokenTtlSec: v.accessTokenTtlSec,
          refreshTokenTtlSec: v.refreshTokenTtlSec,
          logger: deps.logger,
          ...(v.ca ? { ca: v.ca } : {}),
          certificateDays: v.certificateDays,
        });
      })
      .inSingletonScope();
    // Deleting or decommissioning a node ends its credentials.
    bind(COMPUTE.nodeCredentials).toService(NODE_JOIN.credentials);
    bind(NODE_JOIN.joins)
      .toDynamicValue((c) => {
        const deps = c.get<ServiceDeps>(CORE.deps);
        return new NodeJoinService({
          tokens: c.get(NODE_JOIN.tokens),
          agents: c.get(COMPUTE.nodeAgents),
          nodes: c.get(COMPUTE.nodes),
          repos: deps.repos,
          credentials: c.get(NODE_JOIN.credentials),
          perAddress: v.perAddress,
          logger: deps.logger,
        });
      })
      .inSingletonScope();
    bind(RpcRoute).toDynamicValue((c) =>
      nodeJoinHandler({
        tokens: c.get(NODE_JOIN.tokens),
        joins: c.get(NODE_JOIN.joins),
        credentials: c.get(NODE_JOIN.credentials),
      }),
    );
  });
}
