import { serviceId } from "../composition/service-id";
import type { ImageService } from "./image-service";
import type { StoragePoolService } from "./storage-pool-service";
import type { VolumeService } from "./volume-service";
import type { VolumeSnapshotService } from "./volume-snapshot-service";

/** STORAGE names the storage area's services in the container. */
export const STORAGE = {
  pools: serviceId<StoragePoolService>("StoragePoolService"),
  volumes: serviceId<VolumeService>("VolumeService"),
  volumeSnapshots: serviceId<VolumeSnapshotService>("VolumeSnapshotService"),
  images: serviceId<ImageService>("ImageService"),
} as const;
