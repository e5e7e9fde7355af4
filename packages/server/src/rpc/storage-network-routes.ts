import type { ConnectRouter } from "@connectrpc/connect";
import { network, storage } from "@limiquantix/api";
import type { Services } from "../composition/services";
import { securityGroupServiceImpl } from "../network/security-group-handler";
import { virtualNetworkServiceImpl } from "../network/virtual-network-handler";
import { imageServiceImpl } from "../storage/image-handler";
import { storagePoolServiceImpl } from "../storage/storage-pool-handler";
import { volumeServiceImpl } from "../storage/volume-handler";

/** registerStorageNetworkRoutes mounts the StoragePool, Volume, Image, VirtualNetwork and SecurityGroup services. */
export function registerStorageNetworkRoutes(router: ConnectRouter, services: Services): void {
  router.service(storage.StoragePoolService, storagePoolServiceImpl(services));
  router.service(storage.VolumeService, volumeServiceImpl(services));
  router.service(storage.ImageService, imageServiceImpl(services));
  router.service(network.VirtualNetworkService, virtualNetworkServiceImpl(services));
  router.service(network.SecurityGroupService, securityGroupServiceImpl(services));
}
