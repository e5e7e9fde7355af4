import { compute } from "@limiquantix/api";
import { invalidArgument } from "@limiquantix/domain";
import { type RpcRoute, route } from "../rpc/route";
import { optionalString, optionalVersion, pageRequestOf, pageResponseOf } from "../rpc/convert/common";
import { givenLabels, labelSelectorOf, requireMessage, withWirePaths } from "../rpc/convert/request-fields";
import { vmSnapshotToProto, vmToProto } from "./convert/virtual-machine";
import { diskBusCodec, powerStateCodec, stopModeCodec } from "./convert/vm-enums";
import { VM_WIRE_PATHS, vmSpecFromProto } from "./convert/vm-spec";
import { vmPatchOf } from "./convert/vm-update";
import { convertedOnce, fromRevisionOf, watchMessages } from "../events/convert/watch-event";
import type { WatchService } from "../events/watch-service";
import type { VmCloneService } from "./vm-clone-service";
import type { VmDiskService } from "./vm-disk-service";
import type { VmMigrationService } from "./vm-migration-service";
import type { VmPowerService } from "./vm-power-service";
import type { VmService } from "./vm-service";
import type { VmSnapshotService } from "./vm-snapshot-service";
import { openStream } from "../shared/async-stream";

/** vmWire converts each object once, however many watchers or readers it goes to. */
const vmWire = convertedOnce(vmToProto);

/** VmHandlerServices are the services VMService calls reach. */
export interface VmHandlerServices {
  readonly vms: VmService;
  readonly power: VmPowerService;
  readonly disks: VmDiskService;
  readonly snapshots: VmSnapshotService;
  readonly clones: VmCloneService;
  readonly migrations: VmMigrationService;
  readonly watch: WatchService;
}

/** vmHandler answers VMService calls through the VM, power, disk, snapshot, clone and migration services. */
export function vmHandler(s: VmHandlerServices): RpcRoute {
  const vm = (v: Parameters<typeof vmToProto>[0]) => ({ vm: vmWire(v) });
  const wire = <T>(work: () => Promise<T>) => withWirePaths(VM_WIRE_PATHS, work);
  return route(compute.VMService, {
    async createVM(ctx, req) {
      const spec = vmSpecFromProto(requireMessage(req.spec, "spec"));
      const clusterId = optionalString(req.clusterId);
      return vm(
        await wire(() =>
          s.vms.create(ctx, {
            projectId: req.projectId,
            name: req.name,
            labels: { ...req.labels },
            spec,
            ...(clusterId ? { clusterId } : {}),
          }),
        ),
      );
    },
    async getVM(ctx, req) {
      return vm(await s.vms.get(ctx, req.id));
    },
    async listVMs(ctx, req) {
      const states = req.states.map((st, i) => powerStateCodec.required(st, `states[${i}]`));
      const page = await s.vms.list(
        ctx,
        {
          ...(optionalString(req.projectId) ? { projectId: req.projectId } : {}),
          ...(optionalString(req.nodeId) ? { nodeId: req.nodeId } : {}),
          ...(optionalString(req.clusterId) ? { clusterId: req.clusterId } : {}),
          ...(states.length > 0 ? { states } : {}),
          ...labelSelectorOf(req.labelSelector),
        },
        pageRequestOf(req),
      );
      return { vms: page.items.map(vmWire), ...pageResponseOf(page) };
    },
    async updateVM(ctx, req) {
      const patch = vmPatchOf(req, await s.vms.get(ctx, req.id));
      return vm(await wire(() => s.vms.update(ctx, req.id, patch, optionalVersion(req.resourceVersion))));
    },
    async deleteVM(ctx, req) {
      const expectedVersion = optionalVersion(req.resourceVersion);
      await s.vms.delete(ctx, req.id, {
        force: req.force,
        detachVolumes: req.detachVolumes,
        ...(expectedVersion !== undefined ? { expectedVersion } : {}),
      });
      return {};
    },
    async startVM(ctx, req) {
      return vm(await s.power.start(ctx, req.id));
    },
    async stopVM(ctx, req) {
      return vm(await s.power.stop(ctx, req.id, stopModeCodec.fromProto(req.mode, "mode") ?? "graceful"));
    },
    async rebootVM(ctx, req) {
      if (req.force)
        throw invalidArgument([
          {
            field: "force",
            description:
              "is not supported: agents reboot the guest only; stop with STOP_MODE_FORCE and start instead",
          },
        ]);
      return vm(await s.power.reboot(ctx, req.id));
    },
    async pauseVM(ctx, req) {
      return vm(await s.power.pause(ctx, req.id));
    },
    async resumeVM(ctx, req) {
      return vm(await s.power.resume(ctx, req.id));
    },
    async suspendVM(ctx, req) {
      return vm(await s.power.suspend(ctx, req.id));
    },
    async createSnapshot(ctx, req) {
      const snap = await s.snapshots.create(ctx, req.vmId, req.name, {
        description: req.description,
        includeMemory: req.includeMemory,
      });
      return { snapshot: vmSnapshotToProto(snap) };
    },
    async listSnapshots(ctx, req) {
      const page = await s.snapshots.list(
        ctx,
        req.vmId,
        labelSelectorOf(req.labelSelector),
        pageRequestOf(req),
      );
      return { snapshots: page.items.map(vmSnapshotToProto), ...pageResponseOf(page) };
    },
    async revertToSnapshot(ctx, req) {
      return vm(await s.snapshots.revert(ctx, req.vmId, req.snapshotId));
    },
    async deleteSnapshot(ctx, req) {
      await s.snapshots.delete(ctx, req.vmId, req.snapshotId);
      return {};
    },
    async migrateVM(ctx, req) {
      const targetNodeId = optionalString(req.targetNodeId);
      return vm(
        await s.migrations.migrateAndWait(ctx, req.id, {
          live: req.live,
          ...(targetNodeId ? { targetNodeId } : {}),
        }),
      );
    },
    async cloneVM(ctx, req) {
      const labels = givenLabels(req.labels) ? { ...req.labels } : undefined;
      return vm(
        await s.clones.clone(ctx, req.id, req.name, { start: req.start, ...(labels ? { labels } : {}) }),
      );
    },
    async attachVolume(ctx, req) {
      const bus = diskBusCodec.fromProto(req.bus, "bus");
      const options = { readOnly: req.readOnly, ...(bus ? { bus } : {}) };
      return vm(
        (await s.disks.attachVolume(ctx, req.vmId, req.volumeId, optionalString(req.diskName), options)).vm,
      );
    },
    async detachVolume(ctx, req) {
      return vm((await s.disks.detachVolume(ctx, req.vmId, req.volumeId)).vm);
    },
    watchVM(ctx, req) {
      // The service's stream opens on the first read, so nothing here needs deferring.
      return watchMessages(
        s.watch.vms(ctx, { id: req.id }, fromRevisionOf(req.resourceVersion)),
        "vm",
        vmWire,
        compute.WatchVMResponseSchema,
      );
    },
    watchVMs(ctx, req) {
      return openStream(async () => {
        const states = req.states.map((st, i) => powerStateCodec.required(st, `states[${i}]`));
        const filter = {
          ...(optionalString(req.projectId) ? { projectId: req.projectId } : {}),
          ...(optionalString(req.nodeId) ? { nodeId: req.nodeId } : {}),
          ...(states.length > 0 ? { states } : {}),
          ...labelSelectorOf(req.labelSelector),
        };
        return watchMessages(
          s.watch.vms(ctx, filter, fromRevisionOf(req.resourceVersion)),
          "vm",
          vmWire,
          compute.WatchVMsResponseSchema,
        );
      });
    },
  });
}
