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

/** Project is a tenant: it owns VMs, volumes, networks and security groups, within its quota. */
export const Project = z.strictObject({
  ...metaFields,
  description: Description.default(""),
  quota: ProjectQuota.default({}),
});
/** Project is a tenant with a quota. */
export type Project = z.infer<typeof Project>;
