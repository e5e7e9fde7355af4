import type { ServiceImpl } from "@connectrpc/connect";
import type { compute } from "@limiquantix/api";
import { Labels, invalidArgument, parseOrThrow } from "@limiquantix/domain";
import type { Services } from "../composition/services";
import { optionalString, optionalVersion, pageRequestOf, pageResponseOf } from "../rpc/convert/common";
import { givenLabels, labelSelectorOf, requireMessage, withWirePaths } from "../rpc/convert/request-fields";
import { vmSnapshotToProto, vmToProto } from "./convert/virtual-machine";
import { diskBusCodec, powerStateCodec, stopModeCodec } from "./convert/vm-enums";
import { VM_WIRE_PATHS, vmSpecFromProto } from "./convert/vm-spec";
import { vmPatchOf } from "./convert/vm-update";

/** VmHandler is VMService less its watch streams, which arrive with the event streaming work. */
export type VmHandler = Omit<ServiceImpl<typeof compute.VMService>, "watchVM" | "watchVMs">;

/** createVmHandler implements VMService over the VM, power, operations, snapshot and migration services. */
export function createVmHandler(s: Services): VmHandler {
  const vm = (v: Parameters<typeof vmToProto>[0]) => ({ vm: vmToProto(v) });
  const wire = <T>(work: () => Promise<T>) => withWirePaths(VM_WIRE_PATHS, work);
  return {
    async createVM(req) {
      const spec = vmSpecFromProto(requireMessage(req.spec, "spec"));
      const clusterId = optionalString(req.clusterId);
      return vm(
        await wire(() =>
          s.vms.create({
            projectId: req.projectId,
            name: req.name,
            labels: { ...req.labels },
            spec,
            ...(clusterId ? { clusterId } : {}),
          }),
        ),
      );
    },
    async getVM(req) {
      return vm(await s.vms.get(req.id));
    },
    async listVMs(req) {
      const states = req.states.map((st, i) => powerStateCodec.required(st, `states[${i}]`));
      const page = await s.vms.list(
        {
          ...(optionalString(req.projectId) ? { projectId: req.projectId } : {}),
          ...(optionalString(req.nodeId) ? { nodeId: req.nodeId } : {}),
          ...(optionalString(req.clusterId) ? { clusterId: req.clusterId } : {}),
          ...(states.length > 0 ? { states } : {}),
          ...labelSelectorOf(req.labelSelector),
        },
        pageRequestOf(req),
      );
      return { vms: page.items.map(vmToProto), ...pageResponseOf(page) };
    },
    async updateVM(req) {
      const patch = vmPatchOf(req, await s.vms.get(req.id));
      return vm(await wire(() => s.vms.update(req.id, patch, optionalVersion(req.resourceVersion))));
    },
    async deleteVM(req) {
      const expectedVersion = optionalVersion(req.resourceVersion);
      await s.vms.delete(req.id, {
        force: req.force,
        detachVolumes: req.detachVolumes,
        ...(expectedVersion !== undefined ? { expectedVersion } : {}),
      });
      return {};
    },
    async startVM(req) {
      return vm(await s.power.start(req.id));
    },
    async stopVM(req) {
      return vm(await s.power.stop(req.id, stopModeCodec.fromProto(req.mode, "mode") ?? "graceful"));
    },
    async rebootVM(req) {
      if (req.force)
        throw invalidArgument([
          {
            field: "force",
            description:
              "is not supported: agents reboot the guest only; stop with STOP_MODE_FORCE and start instead",
          },
        ]);
      return vm(await s.power.reboot(req.id));
    },
    async pauseVM(req) {
      return vm(await s.power.pause(req.id));
    },
    async resumeVM(req) {
      return vm(await s.power.resume(req.id));
    },
    async suspendVM(req) {
      return vm(await s.power.suspend(req.id));
    },
    async createSnapshot(req) {
      const snap = await s.vmOps.createSnapshot(req.vmId, req.name, {
        description: req.description,
        includeMemory: req.includeMemory,
      });
      return { snapshot: vmSnapshotToProto(snap) };
    },
    async listSnapshots(req) {
      const page = await s.vmSnapshots.list(req.vmId, labelSelectorOf(req.labelSelector), pageRequestOf(req));
      return { snapshots: page.items.map(vmSnapshotToProto), ...pageResponseOf(page) };
    },
    async revertToSnapshot(req) {
      return vm(await s.vmOps.revertToSnapshot(req.vmId, req.snapshotId));
    },
    async deleteSnapshot(req) {
      await s.vmOps.deleteSnapshot(req.vmId, req.snapshotId);
      return {};
    },
    async migrateVM(req) {
      const targetNodeId = optionalString(req.targetNodeId);
      const { vm: moving } = await s.migrations.migrate(req.id, {
        live: req.live,
        ...(targetNodeId ? { targetNodeId } : {}),
      });
      return vm(moving);
    },
    async cloneVM(req) {
      // Checked before cloning so bad labels never leave a half-made clone behind.
      parseOrThrow(Labels, req.labels, undefined, ["labels"]);
      let clone = await s.vmOps.clone(req.id, req.name);
      if (givenLabels(req.labels))
        clone = await s.vms.update(clone.id, { labels: { ...req.labels } });
      if (req.start) clone = await s.power.start(clone.id);
      return vm(clone);
    },
    async attachVolume(req) {
      const bus = diskBusCodec.fromProto(req.bus, "bus");
      const options = { readOnly: req.readOnly, ...(bus ? { bus } : {}) };
      return vm(await s.vmOps.attachVolume(req.vmId, req.volumeId, optionalString(req.diskName), options));
    },
    async detachVolume(req) {
      return vm(await s.vmOps.detachVolume(req.vmId, req.volumeId));
    },
  };
}
