import {
  type StoragePool,
  type VolumeRepository,
  failedPrecondition,
  invalidArgument,
} from "@limiquantix/domain";
import type { StoragePoolService } from "../shared/catalog-services";

/**
 * updateStoragePool applies an edit to a pool (checking expectedVersion when given) under the
 * rules a pool's spec obeys once it exists: its backend type is fixed, and its capacity (times the
 * overprovision ratio) may not fall below what its volumes already take.
 */
export function updateStoragePool(
  pools: StoragePoolService,
  volumes: Pick<VolumeRepository, "sumSizeByPool">,
  id: string,
  change: (current: StoragePool) => StoragePool,
  expectedVersion?: number,
): Promise<StoragePool> {
  return pools.update(
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
      const used = await volumes.sumSizeByPool(id);
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
