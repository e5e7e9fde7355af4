import {
  type ListFilter,
  type Page,
  type PageRequest,
  type Volume,
  type VolumeSnapshot,
  failedPrecondition,
  notFound,
} from "@limiquantix/domain";
import type { CallContext } from "../context/call-context";
import type { ServiceDeps } from "../shared/service-deps";
import type { VolumeService } from "./volume-service";

/**
 * VolumeSnapshotService takes, lists, restores and deletes the snapshots of a volume. Snapshots
 * are always addressed through their volume, so a snapshot id of another volume is NotFound.
 */
export class VolumeSnapshotService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly volumes: VolumeService,
  ) {}

  /** create records a point-in-time copy of an AVAILABLE or IN_USE volume. */
  async create(ctx: CallContext, volumeId: string, name: string, description = ""): Promise<VolumeSnapshot> {
    const v = await this.volumes.get(ctx, volumeId);
    if (v.status.phase !== "AVAILABLE" && v.status.phase !== "IN_USE")
      throw failedPrecondition(
        `volume "${v.name}" is ${v.status.phase}: only AVAILABLE or IN_USE volumes can be snapshotted`,
      );
    const created = await this.deps.repos.volumeSnapshots.create({
      id: this.deps.ids.next(),
      name,
      projectId: v.projectId,
      volumeId,
      description,
      status: { phase: "READY", sizeGib: v.spec.sizeGib },
    });
    return created;
  }

  /** list pages through the snapshots of a volume (NotFound when the volume does not exist). */
  async list(
    ctx: CallContext,
    volumeId: string,
    filter: Omit<ListFilter, "volumeId"> = {},
    page?: PageRequest,
  ): Promise<Page<VolumeSnapshot>> {
    await this.volumes.get(ctx, volumeId);
    return this.deps.repos.volumeSnapshots.list({ ...filter, volumeId }, page);
  }

  /** get returns a snapshot of the volume, or NotFound when the volume has no snapshot of that id. */
  async get(ctx: CallContext, volumeId: string, snapshotId: string): Promise<VolumeSnapshot> {
    await this.volumes.get(ctx, volumeId);
    const snap = await this.deps.repos.volumeSnapshots.find(snapshotId);
    if (!snap || snap.volumeId !== volumeId) throw notFound("VolumeSnapshot", snapshotId);
    return snap;
  }

  /**
   * restore rolls a detached volume back to one of its READY snapshots and records which one on
   * the volume. An attached volume is refused: a guest would see its disk change under it.
   */
  async restore(ctx: CallContext, volumeId: string, snapshotId: string): Promise<Volume> {
    const snap = await this.get(ctx, volumeId, snapshotId);
    if (snap.status.phase !== "READY")
      throw failedPrecondition(`snapshot "${snap.name}" is ${snap.status.phase}, not READY`);
    return this.volumes.update(ctx, volumeId, (v) => {
      if (v.status.phase !== "AVAILABLE")
        throw failedPrecondition(
          `volume "${v.name}" is ${v.status.phase}: detach it before restoring a snapshot`,
        );
      return {
        ...v,
        spec: { ...v.spec, sourceSnapshotId: snap.id },
        status: { ...v.status, message: `restored from snapshot ${snap.name}` },
      };
    });
  }

  /** delete removes a snapshot of the volume. */
  async delete(ctx: CallContext, volumeId: string, snapshotId: string): Promise<void> {
    await this.get(ctx, volumeId, snapshotId);
    await this.deps.repos.volumeSnapshots.delete(snapshotId);
  }
}
