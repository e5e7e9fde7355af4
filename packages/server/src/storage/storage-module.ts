import { ContainerModule } from "inversify";
import { COMPUTE } from "../compute/compute-ids";
import { EVENTS } from "../events/events-ids";
import { CORE } from "../composition/core-module";
import { STORAGE } from "./storage-ids";
import { RpcRoute } from "../rpc/route";
import { imageHandler } from "./image-handler";
import { ImageService } from "./image-service";
import { storagePoolHandler } from "./storage-pool-handler";
import { StoragePoolService } from "./storage-pool-service";
import { volumeHandler } from "./volume-handler";
import { VolumeService } from "./volume-service";
import { VolumeSnapshotService } from "./volume-snapshot-service";

/** storageModule binds the storage area (pools, volumes and their snapshots, images) and its three handlers. */
export const storageModule = new ContainerModule(({ bind }) => {
  bind(STORAGE.pools)
    .toDynamicValue((c) => new StoragePoolService(c.get(CORE.deps)))
    .inSingletonScope();
  bind(STORAGE.volumes)
    .toDynamicValue((c) => new VolumeService(c.get(CORE.deps)))
    .inSingletonScope();
  bind(STORAGE.volumeSnapshots)
    .toDynamicValue((c) => new VolumeSnapshotService(c.get(CORE.deps), c.get(STORAGE.volumes)))
    .inSingletonScope();
  bind(STORAGE.images)
    .toDynamicValue((c) => new ImageService(c.get(CORE.deps)))
    .inSingletonScope();

  bind(RpcRoute).toDynamicValue((c) => storagePoolHandler(c.get(STORAGE.pools)));
  bind(RpcRoute).toDynamicValue((c) =>
    volumeHandler({
      volumes: c.get(STORAGE.volumes),
      snapshots: c.get(STORAGE.volumeSnapshots),
      disks: c.get(COMPUTE.disks),
      watch: c.get(EVENTS.watch),
    }),
  );
  bind(RpcRoute).toDynamicValue((c) => imageHandler(c.get(STORAGE.images)));
});
