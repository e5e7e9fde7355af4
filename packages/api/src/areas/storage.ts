// limiquantix.storage.v1: storage pools, volumes and images (StoragePoolService, VolumeService, ImageService).
export * from "../gen/limiquantix/storage/v1/image_pb";
export * from "../gen/limiquantix/storage/v1/image_service_pb";
export * from "../gen/limiquantix/storage/v1/storage_pool_pb";
export * from "../gen/limiquantix/storage/v1/storage_pool_service_pb";
export * from "../gen/limiquantix/storage/v1/volume_pb";
export * from "../gen/limiquantix/storage/v1/volume_service_pb";
