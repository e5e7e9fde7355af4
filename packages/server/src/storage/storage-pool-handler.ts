import type { ServiceImpl } from "@connectrpc/connect";
import { storage } from "@limiquantix/api";
import type { Services } from "../composition/services";
import { updateStoragePool } from "./storage-pool-updates";
import { optionalString, optionalVersion, pageRequestOf, pageResponseOf } from "../rpc/convert/common";
import { listFilterOf, requireMessage } from "../rpc/convert/request-fields";
import {
  storagePoolSpecFromProto,
  storagePoolSpecToProto,
  storagePoolToProto,
} from "./convert/storage-pool";
import { labelsAndSpecChange } from "../rpc/convert/update-mask";

/** storagePoolServiceImpl answers StoragePoolService calls through the storage pool service. */
export function storagePoolServiceImpl(services: Services): ServiceImpl<typeof storage.StoragePoolService> {
  const { pools } = services;
  return {
    async createStoragePool(req) {
      const spec = storagePoolSpecFromProto(requireMessage(req.spec, "spec"));
      const projectId = optionalString(req.projectId);
      const clusterId = optionalString(req.clusterId);
      const created = await pools.create({
        name: req.name,
        labels: req.labels,
        ...(projectId ? { projectId } : {}),
        ...(clusterId ? { clusterId } : {}),
        spec,
      });
      return { storagePool: storagePoolToProto(created) };
    },

    async getStoragePool(req) {
      return { storagePool: storagePoolToProto(await pools.get(req.id)) };
    },

    async listStoragePools(req) {
      const filter = listFilterOf({ projectId: req.projectId, clusterId: req.clusterId }, req.labelSelector);
      const page = await pools.list(filter, pageRequestOf(req));
      return { storagePools: page.items.map(storagePoolToProto), ...pageResponseOf(page) };
    },

    async updateStoragePool(req) {
      const change = labelsAndSpecChange(req, {
        schema: storage.StoragePoolSpecSchema,
        toProto: storagePoolSpecToProto,
        fromProto: (spec) => storagePoolSpecFromProto(spec),
      });
      const updated = await updateStoragePool(
        pools,
        services.deps.repos.volumes,
        req.id,
        change,
        optionalVersion(req.resourceVersion),
      );
      return { storagePool: storagePoolToProto(updated) };
    },

    async deleteStoragePool(req) {
      await pools.deletePool(req.id, optionalVersion(req.resourceVersion));
      return {};
    },
  };
}
