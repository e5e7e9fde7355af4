import { type DomainError, ErrorCode, type ProjectQuota } from "@limiquantix/domain";
import { eventually } from "@limiquantix/domain/conformance";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type MemoryServices, startMemoryServices } from "../testing/memory-services";

let env: MemoryServices;
beforeEach(async () => {
  env = await startMemoryServices();
});
afterEach(async () => {
  await env.close();
});

const small = { cpu: { vcpus: 1 }, memory: { sizeMib: 512 } };

async function projectWith(quota: ProjectQuota, name = "acme"): Promise<string> {
  return (await env.services.projects.create(env.ctx, { name, quota })).id;
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

const usage = async (projectId: string) =>
  (await env.services.projects.get(env.ctx, projectId)).status?.usage;
const allocated = async (nodeId: string) =>
  (await env.adapters.repositories.nodes.get(nodeId)).status.allocated;

describe("project quotas on VMs", () => {
  it("lets exactly two of ten concurrent creates through a quota of 2 VMs, refusing the rest with what was asked", async () => {
    const nodeId = await env.registerNode("n1", 16, 65536);
    const projectId = await projectWith({ vms: 2 });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        env.services.vms.create(env.ctx, { projectId, name: `vm-${i}`, spec: small }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(2);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(refused).toHaveLength(8);
    for (const r of refused) {
      const e = r.reason as DomainError;
      expect(e.code).toBe(ErrorCode.ResourceExhausted);
      expect(e.message).toMatch(/^project "acme" quota vms is 2: 2 in use, this call asks for 1 more/);
      expect(e.details).toMatchObject({ quota: "vms", limit: 2, used: 2, requested: 1 });
      expect(e.details.resource).toEqual({ kind: "Project", id: projectId, name: "acme" });
    }
    expect(await env.adapters.repositories.vms.count({ projectId })).toBe(2);
    expect(await allocated(nodeId)).toEqual({ vcpus: 2, memoryMib: 1024, vmCount: 2 });
    expect(await usage(projectId)).toEqual({ vcpus: 2, memoryMib: 1024, vms: 2, volumes: 0, storageGib: 0 });
    // Nothing is left reserved on the placement snapshot either: the node still takes what fits.
    const other = await projectWith({}, "other");
    for (let i = 0; i < 30; i++)
      await env.services.vms.create(env.ctx, { projectId: other, name: `fill-${i}`, spec: small });
    expect((await allocated(nodeId)).vcpus).toBe(32);
  });

  it("refuses a VM past the vCPU quota, and one past the memory quota, naming each", async () => {
    await env.registerNode("n1", 16, 65536);
    const projectId = await projectWith({ vcpus: 4, memoryMib: 4096 });
    await env.services.vms.create(env.ctx, {
      projectId,
      name: "a",
      spec: { cpu: { vcpus: 3 }, memory: { sizeMib: 1024 } },
    });
    const cpu = await refusal(
      env.services.vms.create(env.ctx, {
        projectId,
        name: "b",
        spec: { cpu: { vcpus: 2 }, memory: { sizeMib: 1024 } },
      }),
    );
    expect(cpu.message).toMatch(/quota vcpus is 4: 3 in use, this call asks for 2 more/);
    expect(cpu.details).toMatchObject({ quota: "vcpus", limit: 4, used: 3, requested: 2 });
    const memory = await refusal(
      env.services.vms.create(env.ctx, {
        projectId,
        name: "c",
        spec: { cpu: { vcpus: 1 }, memory: { sizeMib: 4096 } },
      }),
    );
    expect(memory.details).toMatchObject({ quota: "memoryMib", limit: 4096, used: 1024, requested: 4096 });
    // What fits exactly is allowed.
    await env.services.vms.create(env.ctx, {
      projectId,
      name: "d",
      spec: { cpu: { vcpus: 1 }, memory: { sizeMib: 3072 } },
    });
    expect(await usage(projectId)).toMatchObject({ vcpus: 4, memoryMib: 4096, vms: 2 });
  });

  it("refuses an update that grows a VM past the quota, leaving the VM, its node and the use unchanged", async () => {
    const nodeId = await env.registerNode("n1", 16, 65536);
    const projectId = await projectWith({ vcpus: 4, memoryMib: 4096 });
    const vm = await env.services.vms.create(env.ctx, { projectId, name: "a", spec: small });
    const before = await allocated(nodeId);
    const e = await refusal(env.services.vms.update(env.ctx, vm.id, { cpu: { vcpus: 8 } }));
    expect(e.details).toMatchObject({ quota: "vcpus", limit: 4, used: 1, requested: 7 });
    await refusal(env.services.vms.update(env.ctx, vm.id, { memory: { sizeMib: 8192 } }));
    const stored = await env.services.vms.get(env.ctx, vm.id);
    expect(stored.spec.cpu.vcpus).toBe(1);
    expect(stored.spec.memory.sizeMib).toBe(512);
    expect(stored.resourceVersion).toBe(vm.resourceVersion);
    expect(await allocated(nodeId)).toEqual(before);
    expect(await usage(projectId)).toMatchObject({ vcpus: 1, memoryMib: 512 });
    // Growing within the quota, then shrinking, moves the use both ways.
    await env.services.vms.update(env.ctx, vm.id, { cpu: { vcpus: 4 }, memory: { sizeMib: 4096 } });
    expect(await usage(projectId)).toMatchObject({ vcpus: 4, memoryMib: 4096, vms: 1 });
    await env.services.vms.update(env.ctx, vm.id, { cpu: { vcpus: 2 } });
    expect(await usage(projectId)).toMatchObject({ vcpus: 2, memoryMib: 4096, vms: 1 });
    // An update that does not resize never touches the project.
    const project = await env.services.projects.get(env.ctx, projectId);
    await env.services.vms.update(env.ctx, vm.id, { labels: { tier: "web" } });
    expect((await env.services.projects.get(env.ctx, projectId)).resourceVersion).toBe(
      project.resourceVersion,
    );
  });

  it("gives the use back on delete, so a refused create fits afterwards", async () => {
    await env.registerNode("n1", 16, 65536);
    const projectId = await projectWith({ vms: 1 });
    const first = await env.services.vms.create(env.ctx, { projectId, name: "a", spec: small });
    await refusal(env.services.vms.create(env.ctx, { projectId, name: "b", spec: small }));
    await env.services.vms.delete(env.ctx, first.id);
    expect(await usage(projectId)).toEqual({ vcpus: 0, memoryMib: 0, vms: 0, volumes: 0, storageGib: 0 });
    await env.services.vms.create(env.ctx, { projectId, name: "b", spec: small });
    expect(await usage(projectId)).toMatchObject({ vms: 1, vcpus: 1 });
  });

  it("counts every VM whether it runs or not, so starting one at the limit is never refused", async () => {
    await env.registerNode("n1", 16, 65536);
    const projectId = await projectWith({ vms: 1, vcpus: 1 });
    const vm = await env.services.vms.create(env.ctx, { projectId, name: "a", spec: small });
    expect(await usage(projectId)).toMatchObject({ vms: 1, vcpus: 1 });
    await env.services.power.start(env.ctx, vm.id);
    await eventually(async () =>
      expect((await env.services.vms.get(env.ctx, vm.id)).status.powerState).toBe("RUNNING"),
    );
    expect(await usage(projectId)).toMatchObject({ vms: 1, vcpus: 1 });
  });

  it("refuses a clone past the quota and leaves neither the VM nor its cloned volumes behind", async () => {
    await env.registerNode("n1", 16, 65536);
    const projectId = await projectWith({ vms: 1, volumes: 4, storageGib: 100 });
    const pool = await env.services.pools.create(env.ctx, {
      name: "pool",
      spec: { type: "LOCAL_DIR", capacityGib: 500 },
    });
    const disk = await env.services.volumes.createVolume(env.ctx, {
      projectId,
      name: "root",
      spec: { poolId: pool.id, sizeGib: 10 },
    });
    const src = await env.services.vms.create(env.ctx, {
      projectId,
      name: "src",
      spec: { ...small, disks: [{ name: "root", volumeId: disk.id }] },
    });
    const e = await refusal(env.services.clones.clone(env.ctx, src.id, "copy"));
    expect(e.details).toMatchObject({ quota: "vms", limit: 1, used: 1, requested: 1 });
    expect(await env.adapters.repositories.vms.count({ projectId })).toBe(1);
    expect(await env.adapters.repositories.volumes.count({ projectId })).toBe(1);
    expect(await usage(projectId)).toEqual({ vcpus: 1, memoryMib: 512, vms: 1, volumes: 1, storageGib: 10 });
  });

  it("never writes a project without a limit when its VMs come and go", async () => {
    await env.registerNode("n1", 16, 65536);
    const before = await env.services.projects.get(env.ctx, env.projectId);
    expect(before.status).toBeUndefined();
    const vm = await env.services.vms.create(env.ctx, { projectId: env.projectId, name: "a", spec: small });
    await env.services.vms.update(env.ctx, vm.id, { cpu: { vcpus: 2 } });
    await env.services.vms.delete(env.ctx, vm.id);
    const after = await env.services.projects.get(env.ctx, env.projectId);
    expect(after.resourceVersion).toBe(before.resourceVersion);
    expect(after.status).toBeUndefined();
  });
});
