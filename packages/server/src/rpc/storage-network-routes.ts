import type { ConnectRouter } from "@connectrpc/connect";
import { network, storage } from "@limiquantix/api";
import type { Services } from "../composition/services";
import { securityGroupServiceImpl } from "./network/security-group-service";
import { virtualNetworkServiceImpl } from "./network/virtual-network-service";
import { imageServiceImpl } from "./storage/image-service";
import { storagePoolServiceImpl } from "./storage/storage-pool-service";
import { volumeServiceImpl } from "./storage/volume-service";

/** registerStorageNetworkRoutes mounts the StoragePool, Volume, Image, VirtualNetwork and SecurityGroup services. */
export function registerStorageNetworkRoutes(router: ConnectRouter, services: Services): void {
  router.service(storage.StoragePoolService, storagePoolServiceImpl(services));
  router.service(storage.VolumeService, volumeServiceImpl(services));
  router.service(storage.ImageService, imageServiceImpl(services));
  router.service(network.VirtualNetworkService, virtualNetworkServiceImpl(services));
  router.service(network.SecurityGroupService, securityGroupServiceImpl(services));
}
