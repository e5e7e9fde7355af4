import { storage } from "@limiquantix/api";
import type { VmDiskService } from "../compute/vm-disk-service";
import { convertedOnce, fromRevisionOf, watchMessages } from "../events/convert/watch-event";
import type { WatchService } from "../events/watch-service";
import { type RpcRoute, route } from "../rpc/route";
import { optionalString, optionalVersion, pageRequestOf, pageResponseOf } from "../rpc/convert/common";
import {
  givenLabels,
  labelSelectorOf,
  listFilterOf,
  requireMessage,
  requireString,
} from "../rpc/convert/request-fields";
import { updateSelection } from "../rpc/convert/update-mask";
import { volumePhaseCodec, volumeSpecFromProto, volumeToProto } from "./convert/volume";
import { volumeSnapshotToProto } from "./convert/volume-snapshot";
import type { VolumeService } from "./volume-service";
import type { VolumeSnapshotService } from "./volume-snapshot-service";
import { openStream } from "../shared/async-stream";

/** volumeWire converts each object once, however many watchers or readers it goes to. */
const volumeWire = convertedOnce(volumeToProto);

/** VolumeHandlerServices are the services VolumeService calls reach. */
export interface VolumeHandlerServices {
  readonly volumes: VolumeService;
  readonly snapshots: VolumeSnapshotService;
  /** disks attaches and detaches volumes as VM disks, so the VM's disk list follows. */
  readonly disks: VmDiskService;
  readonly watch: WatchService;
}

/**
 * volumeHandler answers VolumeService calls: lifecycle and capacity through the volume service,
 * attach and detach through the VM disk service, snapshots through the volume snapshot service.
 */
export function volumeHandler({ volumes, snapshots, disks, watch }: VolumeHandlerServices): RpcRoute {
  return route(storage.VolumeService, {
    async createVolume(ctx, req) {
      const projectId = requireString(req.projectId, "project_id");
      const spec = volumeSpecFromProto(requireMessage(req.spec, "spec"));
      const created = await volumes.createVolume(ctx, {
        name: req.name,
        projectId,
        labels: req.labels,
        spec,
      });
      return { volume: volumeToProto(created) };
    },

    async getVolume(ctx, req) {
      return { volume: volumeWire(await volumes.get(ctx, req.id)) };
    },

    async listVolumes(ctx, req) {
      const states = req.states.map((s, i) => volumePhaseCodec.required(s, `states[${i}]`));
      const criteria = { projectId: req.projectId, poolId: req.poolId, vmId: req.vmId };
      const page = await volumes.list(
        ctx,
        listFilterOf(criteria, req.labelSelector, states),
        pageRequestOf(req),
      );
      return { volumes: page.items.map(volumeWire), ...pageResponseOf(page) };
    },

    async updateVolume(ctx, req) {
      const sel = updateSelection(req.updateMask, {
        labels: givenLabels(req.labels),
        description: req.description !== "",
      });
      const updated = await volumes.update(
        ctx,
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

    async deleteVolume(ctx, req) {
      await volumes.deleteVolume(ctx, req.id, optionalVersion(req.resourceVersion));
      return {};
    },

    async resizeVolume(ctx, req) {
      return { volume: volumeToProto(await volumes.resize(ctx, req.id, Number(req.sizeGib))) };
    },

    async attachVolume(ctx, req) {
      const vmId = requireString(req.vmId, "vm_id");
      const { volume } = await disks.attachVolume(ctx, vmId, req.id, optionalString(req.diskName), {
        readOnly: req.readOnly,
      });
      return { volume: volumeToProto(volume) };
    },

    async detachVolume(ctx, req) {
      return { volume: volumeToProto(await disks.detachVolumeFromItsVm(ctx, req.id)) };
    },

    async cloneVolume(ctx, req) {
      const poolId = optionalString(req.poolId);
      const labels = givenLabels(req.labels) ? req.labels : undefined;
      const clone = await volumes.clone(ctx, req.id, req.name, {
        ...(poolId ? { poolId } : {}),
        ...(labels ? { labels } : {}),
      });
      return { volume: volumeToProto(clone) };
    },

    async createVolumeSnapshot(ctx, req) {
      const snapshot = await snapshots.create(ctx, req.volumeId, req.name, req.description);
      return { snapshot: volumeSnapshotToProto(snapshot) };
    },

    async listVolumeSnapshots(ctx, req) {
      const page = await snapshots.list(
        ctx,
        req.volumeId,
        listFilterOf({}, req.labelSelector),
        pageRequestOf(req),
      );
      return { snapshots: page.items.map(volumeSnapshotToProto), ...pageResponseOf(page) };
    },

    async restoreVolumeSnapshot(ctx, req) {
      return { volume: volumeToProto(await snapshots.restore(ctx, req.volumeId, req.snapshotId)) };
    },

    async deleteVolumeSnapshot(ctx, req) {
      await snapshots.delete(ctx, req.volumeId, req.snapshotId);
      return {};
    },
    watchVolumes(ctx, req) {
      return openStream(async () => {
        const states = req.states.map((st, i) => volumePhaseCodec.required(st, `states[${i}]`));
        const filter = {
          ...(optionalString(req.projectId) ? { projectId: req.projectId } : {}),
          ...(optionalString(req.poolId) ? { poolId: req.poolId } : {}),
          ...(optionalString(req.vmId) ? { vmId: req.vmId } : {}),
          ...(states.length > 0 ? { states } : {}),
          ...labelSelectorOf(req.labelSelector),
        };
        return watchMessages(
          watch.volumes(ctx, filter, fromRevisionOf(req.resourceVersion)),
          "volume",
          volumeWire,
          storage.WatchVolumesResponseSchema,
        );
      });
    },
  });
}
