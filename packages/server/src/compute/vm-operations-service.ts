import {
  ErrorCode,
  hasErrorCode,
  type VirtualMachine,
  type VmDisk,
  type VmSnapshot,
  failedPrecondition,
  invalidArgument,
  parseOrThrow,
  Name,
} from "@limiquantix/domain";
import type { AgentDirectory } from "./agent-directory";
import { publishChange } from "../shared/change-events";
import type { ServiceDeps } from "../shared/service-deps";
import type { VmService } from "./vm-service";
import type { VolumeService } from "../storage/volume-service";

/** VmOperationsService attaches and detaches volumes, takes and reverts snapshots, and clones VMs. */
export class VmOperationsService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly vms: VmService,
    private readonly volumes: VolumeService,
    private readonly agents: AgentDirectory,
  ) {}

  /** attachVolume adds a volume of the VM's project as a disk (virtio unless another bus is asked, read-only when asked); a running VM gets it hot-plugged by its agent. */
  async attachVolume(
    vmId: string,
    volumeId: string,
    diskName?: string,
    options: { readOnly?: boolean; bus?: VmDisk["bus"] } = {},
  ): Promise<VirtualMachine> {
    const readOnly = options.readOnly ?? false;
    const bus = options.bus ?? "virtio";
    const name = diskName ?? `disk-${volumeId.slice(-8).toLowerCase().replace(/[^a-z0-9]/g, "0")}`;
    parseOrThrow(Name, name, undefined, ["diskName"]);
    const vm = await this.deps.uow.run(async (tx) => {
      const v = await tx.vms.get(vmId);
      const volume = await tx.volumes.get(volumeId);
      if (volume.projectId !== v.projectId) throw failedPrecondition(`volume "${volume.name}" belongs to another project`);
      if (v.spec.disks.some((d) => d.volumeId === volumeId)) return v;
      if (v.spec.disks.some((d) => d.name === name))
        throw invalidArgument([{ field: "diskName", description: `is already used by another disk of vm "${v.name}" (got ${name})` }]);
      await this.volumes.attachIn(tx, volumeId, vmId, name);
      return tx.vms.update({ ...v, spec: { ...v.spec, disks: [...v.spec.disks, { name, volumeId, bus, readOnly }] } });
    });
    if (vm.status.nodeId && vm.status.powerState === "RUNNING") {
      const volume = await this.deps.repos.volumes.get(volumeId);
      const agent = await this.agents.forNode(vm.status.nodeId);
      await agent.attachDisk(vm.id, { name, volumeId, sizeGib: volume.spec.sizeGib, bus, readOnly });
    }
    await publishChange(this.deps, "VirtualMachine", "MODIFIED", vm);
    return vm;
  }

  /** detachVolume removes a volume from a VM (hot-unplugging it from a running VM) and makes it AVAILABLE again. */
  async detachVolume(vmId: string, volumeId: string): Promise<VirtualMachine> {
    const current = await this.deps.repos.vms.get(vmId);
    const disk = current.spec.disks.find((d) => d.volumeId === volumeId);
    if (!disk) throw failedPrecondition(`volume ${volumeId} is not attached to vm "${current.name}"`);
    if (current.status.nodeId && current.status.powerState === "RUNNING") {
      const agent = await this.agents.forNode(current.status.nodeId);
      await agent.detachDisk(vmId, disk.name);
    }
    const vm = await this.deps.uow.run(async (tx) => {
      const v = await tx.vms.get(vmId);
      await this.volumes.detachIn(tx, volumeId);
      return tx.vms.update({ ...v, spec: { ...v.spec, disks: v.spec.disks.filter((d) => d.volumeId !== volumeId) } });
    });
    await publishChange(this.deps, "VirtualMachine", "MODIFIED", vm);
    return vm;
  }

  /** createSnapshot asks the VM's agent for a snapshot and records it READY (or ERROR with the agent's reason). */
  async createSnapshot(vmId: string, name: string, options: { description?: string; includeMemory?: boolean } = {}): Promise<VmSnapshot> {
    const vm = await this.deps.repos.vms.get(vmId);
    if (options.includeMemory && vm.status.powerState !== "RUNNING")
      throw failedPrecondition(`vm "${vm.name}" is ${vm.status.powerState}: a memory snapshot needs a RUNNING VM`);
    const snap = await this.deps.repos.vmSnapshots.create({
      id: this.deps.ids.next(),
      name,
      projectId: vm.projectId,
      vmId,
      description: options.description ?? "",
      includeMemory: options.includeMemory ?? false,
      status: { phase: "CREATING" },
    });
    let phase: "READY" | "ERROR" = "READY";
    let message = "";
    if (vm.status.nodeId) {
      try {
        const agent = await this.agents.forNode(vm.status.nodeId);
        await agent.createSnapshot(vmId, { id: snap.id, name, includeMemory: snap.includeMemory });
      } catch (e) {
        phase = "ERROR";
        message = (e as Error).message;
      }
    }
    const done = await this.deps.repos.vmSnapshots.update({ ...snap, status: { ...snap.status, phase, message } });
    await publishChange(this.deps, "VmSnapshot", "ADDED", done);
    if (phase === "ERROR") throw failedPrecondition(`snapshot of vm "${vm.name}" failed: ${message}`, { snapshotId: done.id });
    return done;
  }

  /** revertToSnapshot rolls a VM back to a READY snapshot of its own. */
  async revertToSnapshot(vmId: string, snapshotId: string): Promise<VirtualMachine> {
    const vm = await this.deps.repos.vms.get(vmId);
    const snap = await this.deps.repos.vmSnapshots.get(snapshotId);
    if (snap.vmId !== vmId) throw failedPrecondition(`snapshot "${snap.name}" belongs to another VM`);
    if (snap.status.phase !== "READY") throw failedPrecondition(`snapshot "${snap.name}" is ${snap.status.phase}, not READY`);
    if (!vm.status.nodeId) throw failedPrecondition(`vm "${vm.name}" is not placed on a node`);
    const agent = await this.agents.forNode(vm.status.nodeId);
    const status = await agent.revertSnapshot(vmId, snapshotId);
    return this.vms.patchStatus(vmId, (v) => ({ ...v.status, powerState: status.powerState }));
  }

  /** deleteSnapshot removes a snapshot from its agent and from the store. */
  async deleteSnapshot(vmId: string, snapshotId: string): Promise<void> {
    const snap = await this.deps.repos.vmSnapshots.get(snapshotId);
    if (snap.vmId !== vmId) throw failedPrecondition(`snapshot "${snap.name}" belongs to another VM`);
    const vm = await this.deps.repos.vms.get(vmId);
    if (vm.status.nodeId && snap.status.phase === "READY") {
      const agent = await this.agents.forNode(vm.status.nodeId);
      await agent.deleteSnapshot(vmId, snapshotId).catch((e: unknown) => {
        if (!hasErrorCode(e, ErrorCode.NotFound)) throw e;
      });
    }
    await this.deps.repos.vmSnapshots.delete(snapshotId);
    await publishChange(this.deps, "VmSnapshot", "DELETED", snap);
  }

  /** clone creates a stopped copy of a VM under a new name, with a clone of each of its volumes. */
  async clone(vmId: string, name: string): Promise<VirtualMachine> {
    const src = await this.deps.repos.vms.get(vmId);
    const disks = [];
    for (const d of src.spec.disks) {
      const copy = await this.volumes.clone(d.volumeId, `${name}-${d.name}`.slice(0, 63).replace(/-+$/, ""));
      disks.push({ ...d, volumeId: copy.id });
    }
    return this.vms.create({
      projectId: src.projectId,
      name,
      labels: src.labels,
      ...(src.clusterId ? { clusterId: src.clusterId } : {}),
      spec: { ...src.spec, disks, desiredPowerState: "STOPPED", nics: src.spec.nics.map(({ macAddress: _mac, ...n }) => n) },
    });
  }
}
