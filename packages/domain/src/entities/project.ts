import { z } from "zod";
import { Description, metaFields } from "../common";

/** ProjectQuota caps what a project may consume; an absent limit means unlimited. */
export const ProjectQuota = z.strictObject({
  vcpus: z.int().min(0).optional(),
  memoryMib: z.int().min(0).optional(),
  vms: z.int().min(0).optional(),
  volumes: z.int().min(0).optional(),
  storageGib: z.int().min(0).optional(),
});
/** ProjectQuota caps what a project may consume. */
export type ProjectQuota = z.infer<typeof ProjectQuota>;

/** ProjectUsage is what a project's VMs and volumes take, in the units of its quota. */
export const ProjectUsage = z.strictObject({
  vcpus: z.int().min(0),
  memoryMib: z.int().min(0),
  vms: z.int().min(0),
  volumes: z.int().min(0),
  storageGib: z.int().min(0),
});
/** ProjectUsage is what a project's VMs and volumes take. */
export type ProjectUsage = z.infer<typeof ProjectUsage>;

/**
 * ProjectStatus is what the server keeps of a project: the use counted against its quota. It is
 * kept only while the quota sets a limit, and changed in the transaction of every create, resize
 * and delete that changes the use, so concurrent calls cannot both squeeze under a limit.
 */
export const ProjectStatus = z.strictObject({
  usage: ProjectUsage,
});
/** ProjectStatus is what the server keeps of a project. */
export type ProjectStatus = z.infer<typeof ProjectStatus>;

/** Project is a tenant: it owns VMs, volumes, networks and security groups, within its quota. */
export const Project = z.strictObject({
  ...metaFields,
  description: Description.default(""),
  quota: ProjectQuota.default({}),
  /** Absent while the project has no limit, and in projects stored before use was counted (counted on first use). */
  status: ProjectStatus.optional(),
});
/** Project is a tenant with a quota. */
export type Project = z.infer<typeof Project>;
