import {
  type Labels,
  type Repositories,
  type StoragePool,
  type Volume,
  type VolumeInput,
  VOLUME_MACHINE,
  assertTransition,
  conflict,
  failedPrecondition,
  invalidArgument,
  nowIso,
  prepareCreate,
  RESOURCES,
  resourceExhausted,
} from "@limiquantix/domain";
import type { CallContext } from "../context/call-context";
import { resolveProjectId } from "../shared/project-ref";
import { CrudService } from "../shared/crud-service";
import { retryOnConflict } from "../shared/retry-on-conflict";
import { growth, released, volumeUsage } from "../iam/quota/project-usage";
import { UsageLedger } from "../iam/quota/usage-ledger";
import type { ServiceDeps } from "../shared/service-deps";

/** CreateVolumeRequest is what a caller gives to create a volume. */
export type CreateVolumeRequest = Omit<VolumeInput, "id" | "status">;

/** CloneOptions say where a volume clone goes and how it is labelled (the source's pool and labels by default). */
export interface CloneOptions {
  readonly poolId?: string;
  readonly labels?: Labels;
}

/**
 * writtenGib is the space the built-in backends hold for `gib` of a volume: all of it for a
 * THICK volume (allocated up front), none for a THIN one (it takes space as the guest writes,
 * which only a real backend can report).
 */
function writtenGib(spec: Volume["spec"], gib: number): number {
  return spec.provisioning === "THICK" ? gib : 0;
}

function poolLimitGib(pool: StoragePool): number {
  return Math.floor(pool.spec.capacityGib * pool.spec.overprovisionRatio);
}

/**
 * VolumeService carves volumes from pools within their capacity and their project's quota, and
 * moves them through their lifecycle: CREATING → AVAILABLE ⇄ IN_USE (through DETACHING) → deleted.
 * Every unit of work that changes a project's use opens its UsageLedger first, so the project row
 * is always locked before the pool and the volume.
 */
export class VolumeService extends CrudService<Volume, VolumeInput> {
  constructor(deps: ServiceDeps) {
    super(deps, "Volume", deps.repos.volumes);
  }

  /** createVolume reserves the size in the pool and the project's quota and stores the volume; a full pool or quota is ResourceExhausted. */
  async createVolume(_ctx: CallContext, given: CreateVolumeRequest): Promise<Volume> {
    const req = { ...given, projectId: await resolveProjectId(this.deps.repos, given.projectId) };
    if (req.spec?.poolId === undefined)
      throw invalidArgument([{ field: "spec.poolId", description: "is required" }]);
    const input: VolumeInput = { ...req, id: this.deps.ids.next(), status: { phase: "CREATING" } };
    // Validated first, so a bad request is InvalidArgument rather than a quota refusal.
    const validated = prepareCreate(RESOURCES.Volume, input, nowIso(this.deps.clock));
    const created = await retryOnConflict(() =>
      this.deps.uow.run(async (tx) => {
        const ledger = await UsageLedger.open(tx, validated.projectId);
        const pool = await tx.storagePools.find(req.spec.poolId);
        if (!pool)
          throw invalidArgument([
            { field: "spec.poolId", description: `names no storage pool (got ${req.spec.poolId})` },
          ]);
        if (pool.projectId !== undefined && pool.projectId !== req.projectId)
          throw failedPrecondition(`storage pool "${pool.name}" belongs to another project`);
        await ledger.charge(volumeUsage(validated));
        const volume = await tx.volumes.create(input);
        await this.charge(tx, pool, volume.spec.sizeGib, writtenGib(volume.spec, volume.spec.sizeGib));
        return volume;
      }),
    );
    // Provisioning is immediate for the built-in backends: the volume is usable as soon as it is carved.
    const available = await this.deps.repos.volumes.update({
      ...created,
      status: { ...created.status, phase: "AVAILABLE" },
    });
    return available;
  }

  /**
   * charge records a change of `gib` in the sizes of a pool's volumes (refusing one that does not
   * fit) and of `usedDelta` in the space its backend holds for them.
   */
  private async charge(tx: Repositories, pool: StoragePool, gib: number, usedDelta: number): Promise<void> {
    const used = await tx.volumes.sumSizeByPool(pool.id);
    const limit = poolLimitGib(pool);
    if (gib > 0 && used > limit)
      throw resourceExhausted(
        `storage pool "${pool.name}" has ${Math.max(0, limit - (used - gib))} GiB free; ${gib} GiB were asked for`,
        {
          resource: { kind: "StoragePool", id: pool.id, name: pool.name },
          freeGib: Math.max(0, limit - (used - gib)),
        },
      );
    const usedGib = Math.max(0, pool.status.usedGib + usedDelta);
    await tx.storagePools.update({ ...pool, status: { ...pool.status, allocatedGib: used, usedGib } });
  }

  /** resize grows a volume (never shrinks it) if its pool and its project's quota have room. */
  async resize(_ctx: CallContext, id: string, sizeGib: number, expectedVersion?: number): Promise<Volume> {
    const { projectId } = await this.deps.repos.volumes.get(id);
    const updated = await this.deps.uow.run(async (tx) => {
      const ledger = await UsageLedger.open(tx, projectId);
      const v = await tx.volumes.get(id);
      if (expectedVersion !== undefined && expectedVersion !== v.resourceVersion)
        throw conflict("Volume", id, expectedVersion, v.resourceVersion);
      if (!Number.isInteger(sizeGib) || sizeGib <= v.spec.sizeGib)
        throw invalidArgument([
          {
            field: "sizeGib",
            description: `must be an integer larger than the current ${v.spec.sizeGib} GiB (got ${sizeGib}): volumes only grow`,
          },
        ]);
      await ledger.charge(growth(volumeUsage(v), { volumes: 1, storageGib: sizeGib }));
      const next = await tx.volumes.update({ ...v, spec: { ...v.spec, sizeGib } });
      const grown = sizeGib - v.spec.sizeGib;
      await this.charge(tx, await tx.storagePools.get(v.spec.poolId), grown, writtenGib(v.spec, grown));
      return next;
    });
    return updated;
  }

  /** attach marks an AVAILABLE volume IN_USE by a VM; the VM's disk list is the caller's to update in the same unit of work. */
  async attachIn(tx: Repositories, volumeId: string, vmId: string, device: string): Promise<Volume> {
    const v = await tx.volumes.get(volumeId);
    if (v.status.attachment?.vmId === vmId) return v;
    // IN_USE → IN_USE is a legal no-op for the state machine, so another VM's attachment is checked here.
    if (v.status.attachment)
      throw failedPrecondition(
        `volume "${v.name}" is attached to vm ${v.status.attachment.vmId}; detach it first`,
      );
    assertTransition(VOLUME_MACHINE, v.status.phase, "IN_USE");
    return tx.volumes.update({
      ...v,
      status: {
        ...v.status,
        phase: "IN_USE",
        attachment: { vmId, device, attachedAt: nowIso(this.deps.clock) },
      },
    });
  }

  /** detachIn moves an IN_USE volume through DETACHING back to AVAILABLE. */
  async detachIn(tx: Repositories, volumeId: string): Promise<Volume> {
    const v = await tx.volumes.get(volumeId);
    assertTransition(VOLUME_MACHINE, v.status.phase, "DETACHING");
    const detaching = await tx.volumes.update({ ...v, status: { ...v.status, phase: "DETACHING" } });
    return tx.volumes.update({ ...detaching, status: { phase: "AVAILABLE", message: "" } });
  }

  /** deleteVolume deletes an unattached volume and returns its size to the pool and to its project's quota. */
  async deleteVolume(_ctx: CallContext, id: string, expectedVersion?: number): Promise<void> {
    const { projectId } = await this.deps.repos.volumes.get(id);
    await this.deps.uow.run(async (tx) => {
      const ledger = await UsageLedger.open(tx, projectId);
      const v = await tx.volumes.get(id);
      if (v.status.phase === "IN_USE" || v.status.attachment)
        throw failedPrecondition(`volume "${v.name}" is attached to a VM; detach it first`);
      const snaps = await tx.volumeSnapshots.count({ volumeId: id });
      if (snaps > 0)
        throw failedPrecondition(`volume "${v.name}" has ${snaps} snapshot(s); delete them first`);
      await ledger.charge(released(volumeUsage(v)));
      await tx.volumes.delete(id, expectedVersion ?? v.resourceVersion);
      const pool = await tx.storagePools.get(v.spec.poolId);
      const allocatedGib = await tx.volumes.sumSizeByPool(pool.id);
      const usedGib = Math.max(0, pool.status.usedGib - writtenGib(v.spec, v.spec.sizeGib));
      await tx.storagePools.update({ ...pool, status: { ...pool.status, allocatedGib, usedGib } });
    });
  }

  /**
   * clone creates a new volume of the source's size from its current content, in the source's
   * pool or another pool of the project, within that pool's capacity.
   */
  async clone(ctx: CallContext, id: string, name: string, options: CloneOptions = {}): Promise<Volume> {
    const src = await this.deps.repos.volumes.get(id);
    const { sourceSnapshotId: _snapshot, ...spec } = src.spec;
    return this.createVolume(ctx, {
      name,
      projectId: src.projectId,
      labels: options.labels ?? src.labels,
      spec: { ...spec, poolId: options.poolId ?? src.spec.poolId, description: `clone of ${src.name}` },
    });
  }
}
