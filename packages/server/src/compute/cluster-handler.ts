import type { ServiceImpl } from "@connectrpc/connect";
import type { compute } from "@limiquantix/api";
import type { Services } from "../composition/services";
import { optionalVersion, pageRequestOf, pageResponseOf } from "../rpc/convert/common";
import { labelSelectorOf } from "../rpc/convert/request-fields";
import { clusterChangeOf, clusterSpecFromProto, clusterToProto } from "./convert/cluster";

/** ClusterHandler is ClusterService. */
export type ClusterHandler = ServiceImpl<typeof compute.ClusterService>;

/** createClusterHandler implements ClusterService over the cluster service. */
export function createClusterHandler(s: Services): ClusterHandler {
  return {
    async createCluster(req) {
      const cluster = await s.clusters.create({ name: req.name, labels: { ...req.labels }, spec: clusterSpecFromProto(req.spec) });
      return { cluster: clusterToProto(cluster) };
    },
    async getCluster(req) {
      return { cluster: clusterToProto(await s.clusters.get(req.id)) };
    },
    async listClusters(req) {
      const page = await s.clusters.list(labelSelectorOf(req.labelSelector), pageRequestOf(req));
      return { clusters: page.items.map(clusterToProto), ...pageResponseOf(page) };
    },
    async updateCluster(req) {
      const cluster = await s.clusters.update(req.id, clusterChangeOf(req), optionalVersion(req.resourceVersion));
      return { cluster: clusterToProto(cluster) };
    },
    async deleteCluster(req) {
      await s.clusters.deleteCluster(req.id, optionalVersion(req.resourceVersion));
      return {};
    },
  };
}
