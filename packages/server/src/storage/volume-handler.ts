import type { ServiceImpl } from "@connectrpc/connect";
import type { storage } from "@limiquantix/api";
import { failedPrecondition } from "@limiquantix/domain";
import type { Services } from "../composition/services";
import { VolumeCopyService } from "./volume-copy-service";
import { optionalString, optionalVersion, pageRequestOf, pageResponseOf } from "../rpc/convert/common";
import { givenLabels, listFilterOf, requireMessage, requireString } from "../rpc/convert/request-fields";
import { updateSelection } from "../rpc/convert/update-mask";
import { volumePhaseCodec, volumeSpecFromProto, volumeToProto } from "./convert/volume";
import { volumeSnapshotToProto } from "./convert/volume-snapshot";

/**
 * volumeServiceImpl answers VolumeService calls: the lifecycle and capacity checks go through the
 * volume service, attach and detach through the VM operations (so the VM's disks follow), and
 * clones and snapshots through the volume copy service.
 */
export function volumeServiceImpl(services: Services): ServiceImpl<typeof storage.VolumeService> {
  const { volumes, vmOps } = services;
  const copies = new VolumeCopyService(services.deps, volumes);
  return {
    async createVolume(req) {
      const projectId = requireString(req.projectId, "project_id");
      const spec = volumeSpecFromProto(requireMessage(req.spec, "spec"));
      const created = await volumes.createVolume({ name: req.name, projectId, labels: req.labels, spec });
      return { volume: volumeToProto(created) };
    },

    async getVolume(req) {
      return { volume: volumeToProto(await volumes.get(req.id)) };
    },

    async listVolumes(req) {
      const states = req.states.map((s, i) => volumePhaseCodec.required(s, `states[${i}]`));
      const criteria = { projectId: req.projectId, poolId: req.poolId, vmId: req.vmId };
      const page = await volumes.list(listFilterOf(criteria, req.labelSelector, states), pageRequestOf(req));
      return { volumes: page.items.map(volumeToProto), ...pageResponseOf(page) };
    },

    async updateVolume(req) {
      const sel = updateSelection(req.updateMask, {
        labels: givenLabels(req.labels),
        description: req.description !== "",
      });
      const updated = await volumes.update(
        req.id,
        (v) => ({
          ...v,
          ...(sel.has("labels") ? { labels: req.labels } : {}),
          ...(sel.has("description") ? { spec: { ...v.spec, description: req.description } } : {}),
        }),
        optionalVersion(req.resourceVersion),
      );
      return { volume: volumeToProto(updated) };
    },

    async deleteVolume(req) {
      await volumes.deleteVolume(req.id, optionalVersion(req.resourceVersion));
      return {};
    },

    async resizeVolume(req) {
      return { volume: volumeToProto(await volumes.resize(req.id, Number(req.sizeGib))) };
    },

    async attachVolume(req) {
      const vmId = requireString(req.vmId, "vm_id");
      await vmOps.attachVolume(vmId, req.id, optionalString(req.diskName), { readOnly: req.readOnly });
      return { volume: volumeToProto(await volumes.get(req.id)) };
    },

    async detachVolume(req) {
      const current = await volumes.get(req.id);
      const vmId = current.status.attachment?.vmId;
      if (!vmId)
        throw failedPrecondition(`volume "${current.name}" is ${current.status.phase}, not attached to a VM`);
      await vmOps.detachVolume(vmId, req.id);
      return { volume: volumeToProto(await volumes.get(req.id)) };
    },

    async cloneVolume(req) {
      const poolId = optionalString(req.poolId);
      const labels = givenLabels(req.labels) ? req.labels : undefined;
      const clone = await copies.clone(req.id, req.name, {
        ...(poolId ? { poolId } : {}),
        ...(labels ? { labels } : {}),
      });
      return { volume: volumeToProto(clone) };
    },

    async createVolumeSnapshot(req) {
      const snapshot = await volumes.createSnapshot(req.volumeId, req.name, req.description);
      return { snapshot: volumeSnapshotToProto(snapshot) };
    },

    async listVolumeSnapshots(req) {
      const page = await copies.listSnapshots(
        req.volumeId,
        listFilterOf({}, req.labelSelector),
        pageRequestOf(req),
      );
      return { snapshots: page.items.map(volumeSnapshotToProto), ...pageResponseOf(page) };
    },

    async restoreVolumeSnapshot(req) {
      return { volume: volumeToProto(await copies.restoreSnapshot(req.volumeId, req.snapshotId)) };
    },

    async deleteVolumeSnapshot(req) {
      await copies.deleteSnapshot(req.volumeId, req.snapshotId);
      return {};
    },
  };
}
