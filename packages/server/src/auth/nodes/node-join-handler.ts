import { compute } from "@limiquantix/api";
import { nodeToProto } from "../../compute/convert/node";
import { registrationFromProto } from "../../compute/convert/node-settings";
import { fromTimestamp, optionalVersion, pageRequestOf, pageResponseOf } from "../../rpc/convert/common";
import { labelSelectorOf } from "../../rpc/convert/request-fields";
import { type RpcRoute, route } from "../../rpc/route";
import { joinTokenToProto, nodeCredentialsToProto } from "../convert/join-token";
import type { JoinTokenService } from "./join-token-service";
import type { NodeCredentialIssuer } from "./node-credentials";
import type { NodeJoinService } from "./node-join-service";

/** NodeJoinHandlerServices are the services NodeJoinService calls reach. */
export interface NodeJoinHandlerServices {
  readonly tokens: JoinTokenService;
  readonly joins: NodeJoinService;
  readonly credentials: NodeCredentialIssuer;
}

/** nodeJoinHandler answers NodeJoinService calls: admins' join tokens, and agents' joins and credential refreshes. */
export function nodeJoinHandler({ tokens, joins, credentials }: NodeJoinHandlerServices): RpcRoute {
  return route(compute.NodeJoinService, {
    async createJoinToken(ctx, req) {
      const expireTime = req.expiry.case === "expireTime" ? fromTimestamp(req.expiry.value) : undefined;
      const ttl = req.expiry.case === "ttl" ? req.expiry.value : undefined;
      const created = await tokens.create(ctx, {
        name: req.name,
        description: req.description,
        labels: { ...req.labels },
        ...(expireTime ? { expiresAt: new Date(expireTime) } : {}),
        ...(ttl ? { ttlMs: Number(ttl.seconds) * 1000 + Math.floor(ttl.nanos / 1e6) } : {}),
        ...(req.maxUses ? { maxUses: req.maxUses } : {}),
        ...(req.clusterId ? { clusterId: req.clusterId } : {}),
      });
      return { joinToken: joinTokenToProto(created.joinToken), token: created.token };
    },
    async getJoinToken(ctx, req) {
      return { joinToken: joinTokenToProto(await tokens.get(ctx, req.id)) };
    },
    async listJoinTokens(ctx, req) {
      const page = await tokens.list(ctx, labelSelectorOf(req.labelSelector), pageRequestOf(req));
      return { joinTokens: page.items.map(joinTokenToProto), ...pageResponseOf(page) };
    },
    async deleteJoinToken(ctx, req) {
      await tokens.revoke(ctx, req.id, optionalVersion(req.resourceVersion));
      return {};
    },
    async joinNode(ctx, req) {
      const { registration, settings } = registrationFromProto(req);
      const joined = await joins.join(ctx, req.joinToken, registration, settings, req.csrPem);
      return { node: nodeToProto(joined.node), ...nodeCredentialsToProto(joined.credentials) };
    },
    async refreshNodeCredentials(_ctx, req) {
      const c = await credentials.refresh(req.refreshToken, req.csrPem);
      return { nodeId: c.nodeId, ...nodeCredentialsToProto(c) };
    },
  });
}
