import { storage } from "@limiquantix/api";
import { type RpcRoute, route } from "../rpc/route";
import { optionalString, optionalVersion, pageRequestOf, pageResponseOf } from "../rpc/convert/common";
import { listFilterOf, requireMessage } from "../rpc/convert/request-fields";
import { storagePoolSpecFromProto, storagePoolSpecToProto, storagePoolToProto } from "./convert/storage-pool";
import { labelsAndSpecChange } from "../rpc/convert/update-mask";
import type { StoragePoolService } from "./storage-pool-service";
import { convertedOnce } from "../events/convert/watch-event";

/** poolWire converts each object once, however many readers of the replica's copy it goes to. */
const poolWire = convertedOnce(storagePoolToProto);

/** storagePoolHandler answers StoragePoolService calls through the storage pool service. */
export function storagePoolHandler(pools: StoragePoolService): RpcRoute {
  return route(storage.StoragePoolService, {
    async createStoragePool(ctx, req) {
      const spec = storagePoolSpecFromProto(requireMessage(req.spec, "spec"));
      const projectId = optionalString(req.projectId);
      const clusterId = optionalString(req.clusterId);
      const created = await pools.create(ctx, {
        name: req.name,
        labels: req.labels,
        ...(projectId ? { projectId } : {}),
        ...(clusterId ? { clusterId } : {}),
        spec,
      });
      return { storagePool: storagePoolToProto(created) };
    },

    async getStoragePool(ctx, req) {
      return { storagePool: poolWire(await pools.get(ctx, req.id)) };
    },

    async listStoragePools(ctx, req) {
      const filter = listFilterOf({ projectId: req.projectId, clusterId: req.clusterId }, req.labelSelector);
      const page = await pools.list(ctx, filter, pageRequestOf(req));
      return { storagePools: page.items.map(poolWire), ...pageResponseOf(page) };
    },

    async updateStoragePool(ctx, req) {
      const change = labelsAndSpecChange(req, {
        schema: storage.StoragePoolSpecSchema,
        toProto: storagePoolSpecToProto,
        fromProto: (spec) => storagePoolSpecFromProto(spec),
      });
      const updated = await pools.updatePool(ctx, req.id, change, optionalVersion(req.resourceVersion));
      return { storagePool: storagePoolToProto(updated) };
    },

    async deleteStoragePool(ctx, req) {
      await pools.deletePool(ctx, req.id, optionalVersion(req.resourceVersion));
      return {};
    },
  });
}
