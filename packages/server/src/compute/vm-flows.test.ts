import { ErrorCode } from "@limiquantix/domain";
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

async function expectDomainError(work: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e as { code?: string; message: string },
  );
  expect(err, "expected the call to fail").toBeDefined();
  expect(err?.code).toBe(code);
  if (message) expect(err?.message).toMatch(message);
}

const small = { cpu: { vcpus: 1 }, memory: { sizeMib: 512 } };

describe("VM lifecycle through the services", () => {
  it("places a new VM on a node, reserves its capacity, and starts it through the agent", async () => {
    const nodeId = await env.registerNode("n1", 4, 16384);
    const vm = await env.services.vms.create(env.ctx, {
      projectId: env.projectId,
      name: "web-1",
      spec: small,
    });
    expect(vm.status.nodeId).toBe(nodeId);
    expect(vm.status.powerState).toBe("STOPPED");
    const node = await env.services.nodes.list(env.ctx);
    expect(node.items[0]!.status.allocated).toEqual({ vcpus: 1, memoryMib: 512, vmCount: 1 });

    await env.services.power.start(env.ctx, vm.id);
    await eventually(async () =>
      expect((await env.services.vms.get(env.ctx, vm.id)).status.powerState).toBe("RUNNING"),
    );
    await env.services.power.stop(env.ctx, vm.id, "force");
    await eventually(async () =>
      expect((await env.services.vms.get(env.ctx, vm.id)).status.powerState).toBe("STOPPED"),
    );
  });

  it("refuses to pause a stopped VM", async () => {
    await env.registerNode("n1", 4, 16384);
    const vm = await env.services.vms.create(env.ctx, {
      projectId: env.projectId,
      name: "web-1",
      spec: small,
    });
    await expectDomainError(
      env.services.power.pause(env.ctx, vm.id),
      ErrorCode.FailedPrecondition,
      /start it before you pause it/,
    );
  });

  it("lets exactly as many concurrent creates succeed as there is capacity, never overcommitting a node", async () => {
    // Two nodes of 5 cores at CPU overcommit 2.0: room for 20 one-vCPU VMs.
    await env.registerNode("n1", 5, 65536);
    await env.registerNode("n2", 5, 65536);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        env.services.vms.create(env.ctx, { projectId: env.projectId, name: `vm-${i}`, spec: small }),
      ),
    );
    const ok = results.filter((r) => r.status === "fulfilled");
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(20);
    for (const f of failed) expect((f.reason as { code: string }).code).toBe(ErrorCode.ResourceExhausted);
    for (const node of (await env.services.nodes.list(env.ctx)).items) {
      expect(node.status.allocated.vcpus).toBeLessThanOrEqual(10);
      expect(node.status.allocated.vmCount).toBe(
        await env.adapters.repositories.vms.count({ nodeId: node.id }),
      );
    }
  });

  it("explains why no node fits", async () => {
    await env.registerNode("n1", 1, 1024);
    await expectDomainError(
      env.services.vms.create(env.ctx, {
        projectId: env.projectId,
        name: "big",
        spec: { cpu: { vcpus: 64 }, memory: { sizeMib: 512 } },
      }),
      ErrorCode.ResourceExhausted,
      /0\/1 nodes fit/,
    );
  });

  it("refuses to delete a VM with volumes unless asked to detach them, then frees the volume and the capacity", async () => {
    const nodeId = await env.registerNode("n1", 4, 16384);
    const pool = await env.services.pools.create(env.ctx, {
      name: "pool",
      spec: { type: "LOCAL_DIR", capacityGib: 100 },
    });
    const volume = await env.services.volumes.createVolume(env.ctx, {
      projectId: env.projectId,
      name: "data",
      spec: { poolId: pool.id, sizeGib: 10 },
    });
    const vm = await env.services.vms.create(env.ctx, {
      projectId: env.projectId,
      name: "db",
      spec: { ...small, disks: [{ name: "data", volumeId: volume.id }] },
    });
    expect((await env.services.volumes.get(env.ctx, volume.id)).status.phase).toBe("IN_USE");
    await expectDomainError(env.services.vms.delete(env.ctx, vm.id), ErrorCode.FailedPrecondition, /detach/);
    await env.services.vms.delete(env.ctx, vm.id, { detachVolumes: true });
    await expectDomainError(env.services.vms.get(env.ctx, vm.id), ErrorCode.NotFound);
    expect((await env.services.volumes.get(env.ctx, volume.id)).status.phase).toBe("AVAILABLE");
    expect((await env.adapters.repositories.nodes.get(nodeId)).status.allocated.vmCount).toBe(0);
  });

  it("migrates a running VM to another node and moves its reserved capacity", async () => {
    const a = await env.registerNode("n1", 4, 16384);
    const b = await env.registerNode("n2", 4, 16384);
    const vm = await env.services.vms.create(env.ctx, { projectId: env.projectId, name: "app", spec: small });
    await env.services.power.start(env.ctx, vm.id);
    await eventually(async () =>
      expect((await env.services.vms.get(env.ctx, vm.id)).status.powerState).toBe("RUNNING"),
    );
    const source = vm.status.nodeId!;
    const target = source === a ? b : a;
    const { done } = await env.services.migrations.migrate(env.ctx, vm.id, { targetNodeId: target });
    expect((await done).ok).toBe(true);
    const moved = await env.services.vms.get(env.ctx, vm.id);
    expect(moved.status.nodeId).toBe(target);
    expect(moved.status.migration).toBeUndefined();
    expect((await env.adapters.repositories.nodes.get(source)).status.allocated.vmCount).toBe(0);
    expect((await env.adapters.repositories.nodes.get(target)).status.allocated.vmCount).toBe(1);
  });

  it("drains a node: cordons it, moves its VMs away, and puts it in maintenance", async () => {
    const a = await env.registerNode("n1", 4, 16384);
    await env.registerNode("n2", 4, 16384);
    await env.services.nodes.cordon(
      env.ctx,
      (await env.services.nodes.list(env.ctx)).items.find((n) => n.id !== a)!.id,
    );
    const vm = await env.services.vms.create(env.ctx, { projectId: env.projectId, name: "app", spec: small });
    expect(vm.status.nodeId).toBe(a);
    await env.services.nodes.cordon(
      env.ctx,
      (await env.services.nodes.list(env.ctx)).items.find((n) => n.id !== a)!.id,
      false,
    );
    const result = await env.services.drain.drain(env.ctx, a);
    expect(result.plan).toHaveLength(1);
    expect(result.plan[0]!.targetNodeId).toBeDefined();
    expect((await env.services.vms.get(env.ctx, vm.id)).status.nodeId).not.toBe(a);
    expect((await env.adapters.repositories.nodes.get(a)).status.phase).toBe("MAINTENANCE");
  });
});

describe("storage and networks through the services", () => {
  it("refuses a volume larger than what its pool has left", async () => {
    const pool = await env.services.pools.create(env.ctx, {
      name: "small",
      spec: { type: "NFS", capacityGib: 20 },
    });
    await env.services.volumes.createVolume(env.ctx, {
      projectId: env.projectId,
      name: "a",
      spec: { poolId: pool.id, sizeGib: 15 },
    });
    await expectDomainError(
      env.services.volumes.createVolume(env.ctx, {
        projectId: env.projectId,
        name: "b",
        spec: { poolId: pool.id, sizeGib: 10 },
      }),
      ErrorCode.ResourceExhausted,
      /has 5 GiB free/,
    );
    expect(await env.adapters.repositories.volumes.count({ poolId: pool.id })).toBe(1);
  });

  it("only grows volumes", async () => {
    const pool = await env.services.pools.create(env.ctx, {
      name: "p",
      spec: { type: "NFS", capacityGib: 100 },
    });
    const v = await env.services.volumes.createVolume(env.ctx, {
      projectId: env.projectId,
      name: "a",
      spec: { poolId: pool.id, sizeGib: 10 },
    });
    await expectDomainError(
      env.services.volumes.resize(env.ctx, v.id, 5),
      ErrorCode.InvalidArgument,
      /volumes only grow/,
    );
    expect((await env.services.volumes.resize(env.ctx, v.id, 20)).spec.sizeGib).toBe(20);
  });

  it("refuses overlapping CIDRs within a project", async () => {
    await env.services.networks.createNetwork(env.ctx, {
      projectId: env.projectId,
      name: "a",
      spec: { type: "OVERLAY", cidr: "10.1.0.0/16" },
    });
    await expectDomainError(
      env.services.networks.createNetwork(env.ctx, {
        projectId: env.projectId,
        name: "b",
        spec: { type: "OVERLAY", cidr: "10.1.2.0/24" },
      }),
      ErrorCode.FailedPrecondition,
      /overlaps network "a"/,
    );
  });
});
