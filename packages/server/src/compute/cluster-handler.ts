import { compute } from "@limiquantix/api";
import { type RpcRoute, route } from "../rpc/route";
import type { ClusterService } from "./cluster-service";
import { optionalVersion, pageRequestOf, pageResponseOf } from "../rpc/convert/common";
import { labelSelectorOf } from "../rpc/convert/request-fields";
import { clusterChangeOf, clusterSpecFromProto, clusterToProto } from "./convert/cluster";

/** clusterHandler answers ClusterService calls through the cluster service. */
export function clusterHandler(clusters: ClusterService): RpcRoute {
  return route(compute.ClusterService, {
    async createCluster(ctx, req) {
      const cluster = await clusters.create(ctx, {
        name: req.name,
        labels: { ...req.labels },
        spec: clusterSpecFromProto(req.spec),
      });
      return { cluster: clusterToProto(cluster) };
    },
    async getCluster(ctx, req) {
      return { cluster: clusterToProto(await clusters.get(ctx, req.id)) };
    },
    async listClusters(ctx, req) {
      const page = await clusters.list(ctx, labelSelectorOf(req.labelSelector), pageRequestOf(req));
      return { clusters: page.items.map(clusterToProto), ...pageResponseOf(page) };
    },
    async updateCluster(ctx, req) {
      const cluster = await clusters.update(
        ctx,
        req.id,
        clusterChangeOf(req),
        optionalVersion(req.resourceVersion),
      );
      return { cluster: clusterToProto(cluster) };
    },
    async deleteCluster(ctx, req) {
      await clusters.deleteCluster(ctx, req.id, optionalVersion(req.resourceVersion));
      return {};
    },
  });
}
