import {
  type DomainError,
  type Project,
  type ProjectQuota,
  type ProjectUsage,
  resourceExhausted,
  type VirtualMachine,
  type Volume,
} from "@limiquantix/domain";

/** QuotaKey names one dimension of a quota and of the use counted against it. */
export type QuotaKey = keyof ProjectUsage;

/** QUOTA_KEYS are the dimensions of a quota, in the order a refusal names the first one exceeded. */
export const QUOTA_KEYS: readonly QuotaKey[] = ["vms", "vcpus", "memoryMib", "volumes", "storageGib"];

/** UsageDelta is a change of a project's use: positive takes, negative gives back, absent is 0. */
export type UsageDelta = Partial<Record<QuotaKey, number>>;

/** NO_USAGE is the use of a project that owns nothing. */
export const NO_USAGE: ProjectUsage = Object.freeze({
  vcpus: 0,
  memoryMib: 0,
  vms: 0,
  volumes: 0,
  storageGib: 0,
});

/** hasLimits says whether a quota limits anything; a project without a limit keeps no counted use. */
export function hasLimits(quota: ProjectQuota): boolean {
  return QUOTA_KEYS.some((k) => quota[k] !== undefined);
}

/** sameLimits says whether two quotas set the same limits. */
export function sameLimits(a: ProjectQuota, b: ProjectQuota): boolean {
  return QUOTA_KEYS.every((k) => a[k] === b[k]);
}

/** vmUsage is what a VM counts against its project's quota, whatever its power state. */
export function vmUsage(vm: Pick<VirtualMachine, "spec">): UsageDelta {
  return { vms: 1, vcpus: vm.spec.cpu.vcpus, memoryMib: vm.spec.memory.sizeMib };
}

/** volumeUsage is what a volume counts against its project's quota: one volume and its size. */
export function volumeUsage(volume: Pick<Volume, "spec">): UsageDelta {
  return { volumes: 1, storageGib: volume.spec.sizeGib };
}

/** released is the delta that gives back what `taken` took. */
export function released(taken: UsageDelta): UsageDelta {
  const out: UsageDelta = {};
  for (const k of QUOTA_KEYS) if (taken[k]) out[k] = -taken[k];
  return out;
}

/** growth is the delta from what `before` takes to what `after` takes (a resize). */
export function growth(before: UsageDelta, after: UsageDelta): UsageDelta {
  const out: UsageDelta = {};
  for (const k of QUOTA_KEYS) {
    const d = (after[k] ?? 0) - (before[k] ?? 0);
    if (d !== 0) out[k] = d;
  }
  return out;
}

/** isEmpty says whether a delta changes nothing. */
export function isEmpty(delta: UsageDelta): boolean {
  return QUOTA_KEYS.every((k) => !delta[k]);
}

/** applyDelta returns the use after a delta; it never goes below zero, so a use counted short heals on deletes. */
export function applyDelta(used: ProjectUsage, delta: UsageDelta): ProjectUsage {
  const out = { ...used };
  for (const k of QUOTA_KEYS) out[k] = Math.max(0, used[k] + (delta[k] ?? 0));
  return out;
}

/**
 * quotaRefusal returns the ResourceExhausted error for a delta that takes a limited dimension
 * past its limit, naming the first such dimension, its limit, the use and what was asked for; or
 * undefined when the delta fits. Only growth is checked: a project over a lowered limit may
 * still shrink and delete.
 */
export function quotaRefusal(
  project: Pick<Project, "id" | "name" | "quota">,
  used: ProjectUsage,
  delta: UsageDelta,
): DomainError | undefined {
  for (const quota of QUOTA_KEYS) {
    const limit = project.quota[quota];
    const requested = delta[quota] ?? 0;
    if (limit === undefined || requested <= 0 || used[quota] + requested <= limit) continue;
    return resourceExhausted(
      `project "${project.name}" quota ${quota} is ${limit}: ${used[quota]} in use, this call asks for ${requested} more; delete some or raise the quota with UpdateProject`,
      {
        resource: { kind: "Project", id: project.id, name: project.name },
        quota,
        limit,
        used: used[quota],
        requested,
      },
    );
  }
  return undefined;
}
