import {
  type Labels,
  type ListFilter,
  type Page,
  type PageRequest,
  type Volume,
  type VolumeSnapshot,
  failedPrecondition,
  notFound,
} from "@limiquantix/domain";
import type { ServiceDeps } from "../shared/service-deps";
import type { VolumeService } from "./volume-service";

/** CloneOptions say where a volume clone goes and how it is labelled (the source's pool and labels by default). */
export interface CloneOptions {
  readonly poolId?: string;
  readonly labels?: Labels;
}

/**
 * VolumeCopyService clones volumes into any pool of the project and manages the snapshots of one
 * volume: listing them, restoring the volume to one, deleting one. Snapshots are always addressed
 * through their volume, so a snapshot id of another volume is NotFound.
 */
export class VolumeCopyService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly volumes: VolumeService,
  ) {}

  /** clone creates a new volume of the source's size from its current content, within the capacity of the target pool. */
  async clone(id: string, name: string, options: CloneOptions = {}): Promise<Volume> {
    const src = await this.volumes.get(id);
    const { sourceSnapshotId: _snapshot, ...spec } = src.spec;
    return this.volumes.createVolume({
      name,
      projectId: src.projectId,
      labels: options.labels ?? src.labels,
      spec: { ...spec, poolId: options.poolId ?? src.spec.poolId, description: `clone of ${src.name}` },
    });
  }

  /** listSnapshots pages through the snapshots of a volume (NotFound when the volume does not exist). */
  async listSnapshots(
    volumeId: string,
    filter: Omit<ListFilter, "volumeId"> = {},
    page?: PageRequest,
  ): Promise<Page<VolumeSnapshot>> {
    await this.volumes.get(volumeId);
    return this.deps.repos.volumeSnapshots.list({ ...filter, volumeId }, page);
  }

  /** snapshotOf returns a snapshot of the volume, or NotFound when the volume has no snapshot of that id. */
  async snapshotOf(volumeId: string, snapshotId: string): Promise<VolumeSnapshot> {
    await this.volumes.get(volumeId);
    const snap = await this.deps.repos.volumeSnapshots.find(snapshotId);
    if (!snap || snap.volumeId !== volumeId) throw notFound("VolumeSnapshot", snapshotId);
    return snap;
  }

  /**
   * restoreSnapshot rolls a detached volume back to one of its READY snapshots and records which
   * one on the volume. An attached volume is refused: a guest would see its disk change under it.
   */
  async restoreSnapshot(volumeId: string, snapshotId: string): Promise<Volume> {
    const snap = await this.snapshotOf(volumeId, snapshotId);
    if (snap.status.phase !== "READY")
      throw failedPrecondition(`snapshot "${snap.name}" is ${snap.status.phase}, not READY`);
    return this.volumes.update(volumeId, (v) => {
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

  /** deleteSnapshot deletes a snapshot of the volume. */
  async deleteSnapshot(volumeId: string, snapshotId: string): Promise<void> {
    await this.snapshotOf(volumeId, snapshotId);
    await this.volumes.deleteSnapshot(snapshotId);
  }
}
