import {
  assembleRepositories,
  type Repositories,
  type RepositoryParts,
  resourceDescriptor,
} from "@limiquantix/domain";
import type { StoreAccess } from "../store";
import { MemoryAuditRepository } from "./audit-repository";
import { MemoryAlertRepository, MemoryUserRepository, MemoryVolumeRepository } from "./kind-repositories";
import { MemoryNodeRepository } from "./node-repository";
import { ResourceRepository } from "./resource-repository";
import { MemoryVmRepository } from "./vm-repository";

// Kinds whose ports add methods get their own class; every other kind is stored generically.
const PARTS: RepositoryParts<StoreAccess> = {
  overrides: {
    Node: (access) => new MemoryNodeRepository(access),
    VirtualMachine: (access) => new MemoryVmRepository(access),
    Volume: (access) => new MemoryVolumeRepository(access),
    Alert: (access) => new MemoryAlertRepository(access),
    User: (access) => new MemoryUserRepository(access),
  },
  generic: (kind, access) => new ResourceRepository(resourceDescriptor(kind), access),
  audit: (access) => new MemoryAuditRepository(access),
};

/** createRepositories builds every repository over one view of the store (the committed store or a unit of work). */
export function createRepositories(access: StoreAccess): Repositories {
  return assembleRepositories(PARTS, access);
}
