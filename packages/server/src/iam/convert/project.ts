import { create } from "@bufbuild/protobuf";
import { iam } from "@limiquantix/api";
import type { Project, ProjectQuota, ProjectUsage } from "@limiquantix/domain";
import { metaToProto } from "../../rpc/convert/common";
import { givenLabels } from "../../rpc/convert/request-fields";
import { readUpdateMask } from "../../rpc/convert/update-mask";

const QUOTA_KEYS = ["vcpus", "memoryMib", "vms", "volumes", "storageGib"] as const;
const QUOTA_PATHS = [
  "quota.vcpus",
  "quota.memory_mib",
  "quota.vms",
  "quota.volumes",
  "quota.storage_gib",
] as const;

/** quotaFromProto reads a quota; an unset limit stays absent, meaning unlimited. */
export function quotaFromProto(q: iam.ProjectQuota | undefined): ProjectQuota {
  const out: { -readonly [K in keyof ProjectQuota]: ProjectQuota[K] } = {};
  for (const k of QUOTA_KEYS) if (q?.[k] !== undefined) out[k] = Number(q[k]);
  return out;
}

/** quotaToProto writes a quota. */
export function quotaToProto(q: ProjectQuota): iam.ProjectQuota {
  return create(iam.ProjectQuotaSchema, {
    vcpus: q.vcpus,
    memoryMib: q.memoryMib === undefined ? undefined : BigInt(q.memoryMib),
    vms: q.vms,
    volumes: q.volumes,
    storageGib: q.storageGib === undefined ? undefined : BigInt(q.storageGib),
  });
}

/** UPDATE_PROJECT_PATHS are the update_mask paths UpdateProject knows. */
export const UPDATE_PROJECT_PATHS = ["labels", "description", "quota", ...QUOTA_PATHS] as const;

/** projectChangeOf reads an UpdateProjectRequest into the change to apply: masked fields (a single quota limit may be masked), or with no mask the fields given. */
export function projectChangeOf(req: iam.UpdateProjectRequest): (current: Project) => Project {
  const mask = readUpdateMask(req.updateMask, UPDATE_PROJECT_PATHS);
  const labels = mask.applies("labels", givenLabels(req.labels)) ? { ...req.labels } : undefined;
  const description = mask.applies("description", req.description !== "") ? req.description : undefined;
  const asked = quotaFromProto(req.quota);
  const given = req.quota !== undefined;
  return (p) => {
    const quota: { -readonly [K in keyof ProjectQuota]: ProjectQuota[K] } = { ...p.quota };
    QUOTA_KEYS.forEach((k, i) => {
      if (!mask.applies(QUOTA_PATHS[i]!, given)) return;
      if (asked[k] === undefined) delete quota[k];
      else quota[k] = asked[k];
    });
    return { ...p, labels: labels ?? p.labels, description: description ?? p.description, quota };
  };
}

/** usageToProto writes a project's counted use. */
export function usageToProto(u: ProjectUsage): iam.ProjectUsage {
  return create(iam.ProjectUsageSchema, {
    vcpus: u.vcpus,
    memoryMib: BigInt(u.memoryMib),
    vms: u.vms,
    volumes: u.volumes,
    storageGib: BigInt(u.storageGib),
  });
}

/** projectToProto writes a project, with its counted use while its quota has a limit. */
export function projectToProto(p: Project): iam.Project {
  return create(iam.ProjectSchema, {
    ...metaToProto(p),
    description: p.description,
    quota: quotaToProto(p.quota),
    ...(p.status ? { usage: usageToProto(p.status.usage) } : {}),
  });
}
