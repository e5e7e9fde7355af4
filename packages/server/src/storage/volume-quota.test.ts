import { type DomainError, ErrorCode, type ProjectQuota } from "@limiquantix/domain";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type MemoryServices, startMemoryServices } from "../testing/memory-services";

let env: MemoryServices;
let poolId: string;
beforeEach(async () => {
  env = await startMemoryServices();
  poolId = (
    await env.services.pools.create(env.ctx, { name: "pool", spec: { type: "LOCAL_DIR", capacityGib: 1000 } })
  ).id;
});
afterEach(async () => {
  await env.close();
});

async function projectWith(quota: ProjectQuota): Promise<string> {
  return (await env.services.projects.create(env.ctx, { name: "acme", quota })).id;
}

async function refusal(work: Promise<unknown>): Promise<DomainError> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e as DomainError,
  );
  expect(err, "expected the call to be refused").toBeDefined();
  expect(err?.code).toBe(ErrorCode.ResourceExhausted);
  return err!;
}

const volume = (projectId: string, name: string, sizeGib: number) =>
  env.services.volumes.createVolume(env.ctx, { projectId, name, spec: { poolId, sizeGib } });
const usage = async (projectId: string) =>
  (await env.services.projects.get(env.ctx, projectId)).status?.usage;
const poolAllocated = async () => (await env.services.pools.get(env.ctx, poolId)).status.allocatedGib;

describe("project quotas on volumes", () => {
  it("lets exactly two of ten concurrent creates through a quota of 2 volumes", async () => {
    const projectId = await projectWith({ volumes: 2 });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => volume(projectId, `v-${i}`, 10)),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(refused).toHaveLength(8);
    for (const r of refused) {
      expect((r.reason as DomainError).code).toBe(ErrorCode.ResourceExhausted);
      expect((r.reason as DomainError).details).toMatchObject({
        quota: "volumes",
        limit: 2,
        used: 2,
        requested: 1,
      });
    }
    expect(await env.adapters.repositories.volumes.count({ projectId })).toBe(2);
    expect(await poolAllocated()).toBe(20);
    expect(await usage(projectId)).toEqual({ vcpus: 0, memoryMib: 0, vms: 0, volumes: 2, storageGib: 20 });
  });

  it("lets concurrent creates fill a storage quota exactly and no further", async () => {
    const projectId = await projectWith({ storageGib: 25 });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => volume(projectId, `v-${i}`, 10)),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
    for (const r of results)
      if (r.status === "rejected") {
        const e = r.reason as DomainError;
        expect(e.code).toBe(ErrorCode.ResourceExhausted);
        expect(e.message).toMatch(
          /^project "acme" quota storageGib is 25: 20 in use, this call asks for 10 more/,
        );
      }
    expect(await env.adapters.repositories.volumes.count({ projectId })).toBe(2);
    expect(await poolAllocated()).toBe(20);
    // 5 GiB are left, and are usable.
    await volume(projectId, "small", 5);
    expect(await usage(projectId)).toMatchObject({ volumes: 3, storageGib: 25 });
  });

  it("refuses a resize past the storage quota, leaving the volume, its pool and the use unchanged", async () => {
    const projectId = await projectWith({ storageGib: 30 });
    const v = await volume(projectId, "data", 10);
    const e = await refusal(env.services.volumes.resize(env.ctx, v.id, 40));
    expect(e.details).toMatchObject({ quota: "storageGib", limit: 30, used: 10, requested: 30 });
    const stored = await env.services.volumes.get(env.ctx, v.id);
    expect(stored.spec.sizeGib).toBe(10);
    expect(stored.resourceVersion).toBe(v.resourceVersion);
    expect(await poolAllocated()).toBe(10);
    expect(await usage(projectId)).toMatchObject({ volumes: 1, storageGib: 10 });
    await env.services.volumes.resize(env.ctx, v.id, 30);
    expect(await usage(projectId)).toMatchObject({ volumes: 1, storageGib: 30 });
  });

  it("gives the use back on delete, and refuses a clone past the quota without leaving it behind", async () => {
    const projectId = await projectWith({ volumes: 1 });
    const v = await volume(projectId, "data", 10);
    const e = await refusal(env.services.volumes.clone(env.ctx, v.id, "copy"));
    expect(e.details).toMatchObject({ quota: "volumes", limit: 1, used: 1, requested: 1 });
    expect(await env.adapters.repositories.volumes.count({ projectId })).toBe(1);
    expect(await poolAllocated()).toBe(10);
    await env.services.volumes.deleteVolume(env.ctx, v.id);
    expect(await usage(projectId)).toMatchObject({ volumes: 0, storageGib: 0 });
    await volume(projectId, "again", 5);
    expect(await usage(projectId)).toMatchObject({ volumes: 1, storageGib: 5 });
  });

  it("checks the request before the quota: an invalid size is InvalidArgument even at the limit", async () => {
    const projectId = await projectWith({ volumes: 0 });
    const err = await volume(projectId, "bad", 0).catch((e: unknown) => e as DomainError);
    expect((err as DomainError).code).toBe(ErrorCode.InvalidArgument);
    await refusal(volume(projectId, "good", 1));
  });
});
