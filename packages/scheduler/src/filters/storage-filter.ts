import { notFound } from "@limiquantix/domain";
import { defineFilter, SKIP } from "../framework/plugin";
import { keepMarked } from "../snapshot/column-selectors";

/** STORAGE is the name of the filter that keeps a VM on nodes that reach the pools of all its volumes. */
export const STORAGE = "storage";

interface PoolReach {
  readonly nodes: ReadonlySet<string>;
  readonly reason: string;
}

/**
 * storageFilter rejects a node that cannot reach a pool holding one of the VM's volumes (a pool
 * with no node list is reached by every node). A volume or pool missing from the snapshot is NotFound.
 */
export const storageFilter = defineFilter<readonly PoolReach[]>({
  name: STORAGE,
  rejects: { kind: "storage", bindsRunning: true },
  prepare(ctx) {
    if (ctx.vm.spec.disks.length === 0) return SKIP;
    const restricted = new Map<string, PoolReach>();
    for (const disk of ctx.vm.spec.disks) {
      const poolId = ctx.snapshot.poolOfVolume(disk.volumeId);
      if (poolId === undefined) throw notFound("Volume", disk.volumeId);
      const nodes = ctx.snapshot.poolNodes(poolId);
      if (nodes === undefined) throw notFound("StoragePool", poolId);
      if (nodes !== null && !restricted.has(poolId))
        restricted.set(poolId, {
          nodes,
          reason: `cannot reach storage pool "${ctx.snapshot.nameOf("pool", poolId)}"`,
        });
    }
    return restricted.size === 0 ? SKIP : [...restricted.values()];
  },
  filter(node, _ctx, pools) {
    for (const pool of pools) if (!pool.nodes.has(node.id)) return pool.reason;
    return undefined;
  },
  filterColumns(columns, rows, count, _ctx, pools) {
    let kept = count;
    for (const pool of pools) kept = keepMarked(columns.members(pool.nodes), rows, kept);
    return kept;
  },
});
