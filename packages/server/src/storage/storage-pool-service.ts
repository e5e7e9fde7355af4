import {
  type StoragePool,
  type StoragePoolInput,
  failedPrecondition,
  invalidArgument,
} from "@limiquantix/domain";
import type { CallContext } from "../context/call-context";
import { CrudService } from "../shared/crud-service";
import type { ServiceDeps } from "../shared/service-deps";

/** StoragePoolService manages storage pools; a pool with volumes cannot be deleted or shrunk below what they use. */
export class StoragePoolService extends CrudService<StoragePool, StoragePoolInput> {
  constructor(deps: ServiceDeps) {
    super(deps, "StoragePool", deps.repos.storagePools);
  }

  /**
   * updatePool applies an edit to a pool (checking expectedVersion when given) under the rules a
   * pool's spec obeys once it exists: its backend type is fixed, and its capacity (times the
   * overprovision ratio) may not fall below what its volumes already take.
   */
  updatePool(
    ctx: CallContext,
    id: string,
    change: (current: StoragePool) => StoragePool,
    expectedVersion?: number,
  ): Promise<StoragePool> {
    return this.update(
      ctx,
      id,
      async (current) => {
        const next = change(current);
        if (next.spec.type !== current.spec.type)
          throw invalidArgument([
            {
              field: "spec.type",
              description: `cannot change once the pool exists (is ${current.spec.type}, got ${next.spec.type})`,
            },
          ]);
        const limit = Math.floor(next.spec.capacityGib * next.spec.overprovisionRatio);
        const used = await this.deps.repos.volumes.sumSizeByPool(id);
        if (limit < used)
          throw failedPrecondition(
            `storage pool "${current.name}" holds ${used} GiB of volumes; capacity × overprovision ratio cannot go below that (got ${limit} GiB)`,
            { resource: { kind: "StoragePool", id, name: current.name } },
          );
        return next;
      },
      expectedVersion,
    );
  }

  /** deletePool refuses a pool that still holds volumes. */
  async deletePool(ctx: CallContext, id: string, expectedVersion?: number): Promise<void> {
    const volumes = await this.deps.repos.volumes.count({ poolId: id });
    if (volumes > 0)
      throw failedPrecondition(`storage pool still holds ${volumes} volume(s); delete them first`);
    await this.delete(ctx, id, expectedVersion);
  }
}
