import { type Cluster, type ClusterInput, conflict, failedPrecondition } from "@limiquantix/domain";
import type { CallContext } from "../context/call-context";
import { CrudService } from "../shared/crud-service";
import { allItems } from "../shared/each-item";
import type { ServiceDeps } from "../shared/service-deps";

/** ClusterService manages clusters; a cluster with nodes cannot be deleted. */
export class ClusterService extends CrudService<Cluster, ClusterInput> {
  constructor(deps: ServiceDeps) {
    super(deps, "Cluster", deps.repos.clusters);
  }

  /** deleteCluster refuses a cluster that still has nodes; its DRS recommendations go with it. */
  async deleteCluster(_ctx: CallContext, id: string, expectedVersion?: number): Promise<void> {
    const nodes = await this.deps.repos.nodes.count({ clusterId: id });
    if (nodes > 0)
      throw failedPrecondition(`cluster still has ${nodes} node(s); move or decommission them first`);
    await this.deps.uow.run(async (tx) => {
      const current = await tx.clusters.get(id);
      if (expectedVersion !== undefined && current.resourceVersion !== expectedVersion)
        throw conflict("Cluster", id, expectedVersion, current.resourceVersion);
      for (const r of await allItems(tx.drsRecommendations, { clusterId: id }))
        await tx.drsRecommendations.delete(r.id);
      await tx.clusters.delete(id, current.resourceVersion);
    });
  }
}
