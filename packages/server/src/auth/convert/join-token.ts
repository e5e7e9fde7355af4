import { create } from "@bufbuild/protobuf";
import { compute } from "@limiquantix/api";
import type { NodeJoinToken } from "@limiquantix/domain";
import { toTimestamp } from "../../rpc/convert/common";
import type { NodeCredentials } from "../nodes/node-credentials";

/** joinTokenToProto writes a join token; its secret hash never leaves the server. */
export function joinTokenToProto(t: NodeJoinToken): compute.JoinToken {
  return create(compute.JoinTokenSchema, {
    id: t.id,
    name: t.name,
    labels: t.labels,
    resourceVersion: BigInt(t.resourceVersion),
    createTime: toTimestamp(t.createdAt),
    updateTime: toTimestamp(t.updatedAt),
    description: t.description,
    expireTime: toTimestamp(t.expiresAt),
    maxUses: t.maxUses,
    uses: t.uses,
    clusterId: t.clusterId ?? "",
    createdBy: t.createdBy,
  });
}

/** nodeCredentialsToProto writes a node's credentials as JoinNode and RefreshNodeCredentials answer them. */
export function nodeCredentialsToProto(c: NodeCredentials) {
  return {
    accessToken: c.accessToken,
    accessTokenExpireTime: toTimestamp(c.accessTokenExpiresAt.toISOString()),
    refreshToken: c.refreshToken,
    refreshTokenExpireTime: toTimestamp(c.refreshTokenExpiresAt.toISOString()),
    certificatePem: c.certificate?.certificatePem ?? "",
    caPem: c.certificate?.caPem ?? "",
  };
}
