import {
  type Labels as LabelMap,
  Labels,
  type VirtualMachine,
  type Volume,
  parseOrThrow,
} from "@limiquantix/domain";
import type { CallContext } from "../context/call-context";
import type { VolumeService } from "../storage/volume-service";
import type { VmPowerService } from "./vm-power-service";
import type { VmService } from "./vm-service";

/** CloneOptions say how a VM clone is labelled (the source's labels by default) and whether it starts. */
export interface VmCloneOptions {
  readonly labels?: LabelMap;
  readonly start?: boolean;
}

/**
 * VmCloneService copies a VM under a new name, with a clone of each of its volumes; the copy's
 * NICs get addresses and MAC addresses of their own. It is all or nothing: when any step fails (a
 * name taken, a pool, node or network full), the VM it created (and so its addresses) and the
 * volumes it cloned are deleted again before the error is returned.
 */
export class VmCloneService {
  constructor(
    private readonly vms: VmService,
    private readonly volumes: VolumeService,
    private readonly power: VmPowerService,
  ) {}

  /** clone creates a stopped copy of a VM (started when asked), placed like any new VM. */
  async clone(
    ctx: CallContext,
    vmId: string,
    name: string,
    options: VmCloneOptions = {},
  ): Promise<VirtualMachine> {
    // Checked before anything is copied, so bad labels leave nothing behind.
    if (options.labels !== undefined) parseOrThrow(Labels, options.labels, undefined, ["labels"]);
    const src = await this.vms.get(ctx, vmId);
    const copies: Volume[] = [];
    let created: VirtualMachine | undefined;
    try {
      const disks = [];
      for (const d of src.spec.disks) {
        const copy = await this.volumes.clone(
          ctx,
          d.volumeId,
          `${name}-${d.name}`.slice(0, 63).replace(/-+$/, ""),
        );
        copies.push(copy);
        disks.push({ ...d, volumeId: copy.id });
      }
      created = await this.vms.create(ctx, {
        projectId: src.projectId,
        name,
        labels: options.labels ?? src.labels,
        ...(src.clusterId ? { clusterId: src.clusterId } : {}),
        spec: {
          ...src.spec,
          disks,
          desiredPowerState: "STOPPED",
          nics: src.spec.nics.map(({ macAddress: _mac, ipAddress: _ip, ...n }) => n),
        },
      });
      return options.start ? await this.power.start(ctx, created.id) : created;
    } catch (e) {
      if (created) await this.vms.delete(ctx, created.id, { detachVolumes: true }).catch(() => undefined);
      for (const copy of copies.reverse())
        await this.volumes.deleteVolume(ctx, copy.id).catch(() => undefined);
      throw e;
    }
  }
}
