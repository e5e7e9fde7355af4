import { type Cluster, type ClusterInput, failedPrecondition } from "@limiquantix/domain";
import type { CallContext } from "../context/call-context";
import { CrudService } from "../shared/crud-service";
import type { ServiceDeps } from "../shared/service-deps";

/** ClusterService manages clusters; a cluster with nodes cannot be deleted. */
export class ClusterService extends CrudService<Cluster, ClusterInput> {
  constructor(deps: ServiceDeps) {
    super(deps, "Cluster", deps.repos.clusters);
  }

  /** deleteCluster refuses a cluster that still has nodes. */
  async deleteCluster(ctx: CallContext, id: string, expectedVersion?: number): Promise<void> {
    const nodes = await this.deps.repos.nodes.count({ clusterId: id });
    if (nodes > 0)
      throw failedPrecondition(`cluster still has ${nodes} node(s); move or decommission them first`);
    await this.delete(ctx, id, expectedVersion);
  }
}
