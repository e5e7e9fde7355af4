import { type Repositories, RESOURCES } from "@limiquantix/domain";
import type { StoreAccess } from "../store";
import { MemoryAuditRepository } from "./audit-repository";
import { MemoryAlertRepository, MemoryUserRepository, MemoryVolumeRepository } from "./kind-repositories";
import { MemoryNodeRepository } from "./node-repository";
import { ResourceRepository } from "./resource-repository";
import { MemoryVmRepository } from "./vm-repository";

/** createRepositories builds every repository over one view of the store (the committed store or a unit of work). */
export function createRepositories(access: StoreAccess): Repositories {
  return {
    projects: new ResourceRepository(RESOURCES.Project, access),
    clusters: new ResourceRepository(RESOURCES.Cluster, access),
    nodes: new MemoryNodeRepository(access),
    vms: new MemoryVmRepository(access),
    vmSnapshots: new ResourceRepository(RESOURCES.VmSnapshot, access),
    storagePools: new ResourceRepository(RESOURCES.StoragePool, access),
    volumes: new MemoryVolumeRepository(access),
    volumeSnapshots: new ResourceRepository(RESOURCES.VolumeSnapshot, access),
    images: new ResourceRepository(RESOURCES.Image, access),
    networks: new ResourceRepository(RESOURCES.VirtualNetwork, access),
    securityGroups: new ResourceRepository(RESOURCES.SecurityGroup, access),
    alerts: new MemoryAlertRepository(access),
    alertRules: new ResourceRepository(RESOURCES.AlertRule, access),
    drsRecommendations: new ResourceRepository(RESOURCES.DrsRecommendation, access),
    users: new MemoryUserRepository(access),
    audit: new MemoryAuditRepository(access),
  };
}
