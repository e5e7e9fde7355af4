import {
  type VirtualMachine,
  type VmDisk,
  type Volume,
  failedPrecondition,
  invalidArgument,
  Name,
  parseOrThrow,
} from "@limiquantix/domain";
import type { CallContext } from "../context/call-context";
import type { ServiceDeps } from "../shared/service-deps";
import type { VolumeService } from "../storage/volume-service";
import type { AgentDirectory } from "./agent-directory";

/** DiskChange is a VM and the volume of the disk that was attached to it or detached from it. */
export interface DiskChange {
  readonly vm: VirtualMachine;
  readonly volume: Volume;
}

/**
 * VmDiskService attaches volumes to VMs as disks and detaches them: the VM's disk list and the
 * volume's attachment change in one unit of work, and a running VM's agent hot-plugs the disk.
 */
export class VmDiskService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly volumes: VolumeService,
    private readonly agents: AgentDirectory,
  ) {}

  /** attachVolume adds a volume of the VM's project as a disk (virtio unless another bus is asked, read-only when asked). */
  async attachVolume(
    _ctx: CallContext,
    vmId: string,
    volumeId: string,
    diskName?: string,
    options: { readOnly?: boolean; bus?: VmDisk["bus"] } = {},
  ): Promise<DiskChange> {
    const readOnly = options.readOnly ?? false;
    const bus = options.bus ?? "virtio";
    const name =
      diskName ??
      `disk-${volumeId
        .slice(-8)
        .toLowerCase()
        .replace(/[^a-z0-9]/g, "0")}`;
    parseOrThrow(Name, name, undefined, ["diskName"]);
    const vm = await this.deps.uow.run(async (tx) => {
      const v = await tx.vms.get(vmId);
      const volume = await tx.volumes.get(volumeId);
      if (volume.projectId !== v.projectId)
        throw failedPrecondition(`volume "${volume.name}" belongs to another project`);
      if (v.spec.disks.some((d) => d.volumeId === volumeId)) return v;
      if (v.spec.disks.some((d) => d.name === name))
        throw invalidArgument([
          {
            field: "diskName",
            description: `is already used by another disk of vm "${v.name}" (got ${name})`,
          },
        ]);
      await this.volumes.attachIn(tx, volumeId, vmId, name);
      return tx.vms.update({
        ...v,
        spec: { ...v.spec, disks: [...v.spec.disks, { name, volumeId, bus, readOnly }] },
      });
    });
    const volume = await this.deps.repos.volumes.get(volumeId);
    if (vm.status.nodeId && vm.status.powerState === "RUNNING") {
      const agent = await this.agents.forNode(vm.status.nodeId);
      await agent.attachDisk(vm.id, { name, volumeId, sizeGib: volume.spec.sizeGib, bus, readOnly });
    }
    return { vm, volume };
  }

  /** detachVolume removes a volume from a VM (hot-unplugging it from a running VM) and makes it AVAILABLE again. */
  async detachVolume(_ctx: CallContext, vmId: string, volumeId: string): Promise<DiskChange> {
    const current = await this.deps.repos.vms.get(vmId);
    const disk = current.spec.disks.find((d) => d.volumeId === volumeId);
    if (!disk) throw failedPrecondition(`volume ${volumeId} is not attached to vm "${current.name}"`);
    if (current.status.nodeId && current.status.powerState === "RUNNING") {
      const agent = await this.agents.forNode(current.status.nodeId);
      await agent.detachDisk(vmId, disk.name);
    }
    const { vm, volume } = await this.deps.uow.run(async (tx) => {
      const v = await tx.vms.get(vmId);
      const detached = await this.volumes.detachIn(tx, volumeId);
      const updated = await tx.vms.update({
        ...v,
        spec: { ...v.spec, disks: v.spec.disks.filter((d) => d.volumeId !== volumeId) },
      });
      return { vm: updated, volume: detached };
    });
    return { vm, volume };
  }

  /** detachVolumeFromItsVm detaches a volume from whichever VM it is attached to. */
  async detachVolumeFromItsVm(ctx: CallContext, volumeId: string): Promise<Volume> {
    const current = await this.deps.repos.volumes.get(volumeId);
    const vmId = current.status.attachment?.vmId;
    if (!vmId)
      throw failedPrecondition(`volume "${current.name}" is ${current.status.phase}, not attached to a VM`);
    return (await this.detachVolume(ctx, vmId, volumeId)).volume;
  }
}
