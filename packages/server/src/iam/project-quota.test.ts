import { Code } from "@connectrpc/connect";
import { compute, iam, rpc } from "@limiquantix/api";
import { type DomainError, ErrorCode } from "@limiquantix/domain";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { expectCode } from "../rpc/rpc-test-support";
import { type RpcHarness, startRpcHarness } from "../testing/rpc-harness";

let h: RpcHarness;
beforeEach(async () => {
  h = await startRpcHarness();
  await h.registerNode("n1", 16, 65536);
});
afterEach(async () => {
  await h.close();
});

const small = { cpu: { vcpus: 1 }, memory: { sizeMib: 512 } };
const createVm = (projectId: string, name: string) =>
  h.services.vms.create(h.ctx, { projectId, name, spec: small });
const usage = async (projectId: string) => (await h.services.projects.get(h.ctx, projectId)).status?.usage;
const code = (work: Promise<unknown>) =>
  work.then(
    () => "ok",
    (e: unknown) => (e as DomainError).code,
  );

describe("a project's counted use", () => {
  it("starts at zero for a project created with a limit, and is not kept for one without", async () => {
    const limited = await h.services.projects.create(h.ctx, { name: "limited", quota: { vms: 3 } });
    expect(limited.status?.usage).toEqual({ vcpus: 0, memoryMib: 0, vms: 0, volumes: 0, storageGib: 0 });
    const open = await h.services.projects.create(h.ctx, { name: "open" });
    expect(open.status).toBeUndefined();
  });

  it("is counted when a limit is set on a project that already owns VMs and volumes, and dropped with the last limit", async () => {
    const { id } = await h.services.projects.create(h.ctx, { name: "acme" });
    const pool = await h.services.pools.create(h.ctx, {
      name: "pool",
      spec: { type: "LOCAL_DIR", capacityGib: 100 },
    });
    for (const name of ["a", "b", "c"]) await createVm(id, name);
    await h.services.volumes.createVolume(h.ctx, {
      projectId: id,
      name: "d",
      spec: { poolId: pool.id, sizeGib: 7 },
    });
    const limited = await h.services.projects.update(h.ctx, id, (p) => ({ ...p, quota: { vms: 3 } }));
    expect(limited.status?.usage).toEqual({ vcpus: 3, memoryMib: 1536, vms: 3, volumes: 1, storageGib: 7 });
    expect(await code(createVm(id, "e"))).toBe(ErrorCode.ResourceExhausted);
    // Raising the limit counts again (and keeps counting from there).
    await h.services.projects.update(h.ctx, id, (p) => ({ ...p, quota: { vms: 4 } }));
    await createVm(id, "e");
    expect(await usage(id)).toMatchObject({ vms: 4, vcpus: 4 });
    // A change that leaves the limits alone keeps the count as it is.
    const relabelled = await h.services.projects.update(h.ctx, id, (p) => ({ ...p, labels: { team: "x" } }));
    expect(relabelled.status?.usage).toMatchObject({ vms: 4 });
    const unlimited = await h.services.projects.update(h.ctx, id, (p) => ({ ...p, quota: {} }));
    expect(unlimited.status).toBeUndefined();
    await createVm(id, "f");
    expect(await usage(id)).toBeUndefined();
  });

  it("is counted on first use in a project stored with a limit before use was counted", async () => {
    // As an older release stored them: a quota, no status, VMs and a volume already there.
    const repos = h.adapters.repositories;
    const legacy = await repos.projects.create({
      id: "legacy",
      name: "legacy",
      quota: { vms: 3, storageGib: 10 },
    });
    expect(legacy.status).toBeUndefined();
    for (const name of ["a", "b"]) await createVm(legacy.id, name);
    // The creates above counted it; take the count away again to be as old as it gets.
    const counted = await repos.projects.get(legacy.id);
    expect(counted.status?.usage).toMatchObject({ vms: 2 });
    const { status: _s, ...uncounted } = counted;
    await repos.projects.update(uncounted);
    expect((await repos.projects.get(legacy.id)).status).toBeUndefined();

    await createVm(legacy.id, "c");
    expect(await usage(legacy.id)).toEqual({ vcpus: 3, memoryMib: 1536, vms: 3, volumes: 0, storageGib: 0 });
    expect(await code(createVm(legacy.id, "d"))).toBe(ErrorCode.ResourceExhausted);
  });

  it("lets a project over a lowered limit shrink and delete, but not grow", async () => {
    const { id } = await h.services.projects.create(h.ctx, { name: "acme", quota: { vms: 3, vcpus: 8 } });
    const vms = [];
    for (const name of ["a", "b", "c"]) vms.push(await createVm(id, name));
    await h.services.projects.update(h.ctx, id, (p) => ({ ...p, quota: { vms: 1, vcpus: 8 } }));
    expect(await code(createVm(id, "d"))).toBe(ErrorCode.ResourceExhausted);
    await h.services.vms.delete(h.ctx, vms[0]!.id);
    expect(await code(createVm(id, "d"))).toBe(ErrorCode.ResourceExhausted);
    await h.services.vms.delete(h.ctx, vms[1]!.id);
    expect(await code(createVm(id, "d"))).toBe(ErrorCode.ResourceExhausted);
    await h.services.vms.delete(h.ctx, vms[2]!.id);
    await createVm(id, "d");
    expect(await usage(id)).toMatchObject({ vms: 1, vcpus: 1 });
  });

  it("is shown by GetProject, and a refusal reaches the client as RESOURCE_EXHAUSTED with the quota's facts", async () => {
    const projects = h.client(iam.ProjectService);
    const { project } = await projects.createProject({ name: "acme", quota: { vms: 1 } });
    const vms = h.client(compute.VMService);
    const spec = { vcpus: 2, memoryMib: 1024n };
    await vms.createVM({ projectId: "acme", name: "a", spec });
    const f = await expectCode(
      vms.createVM({ projectId: "acme", name: "b", spec }),
      Code.ResourceExhausted,
      /^project "acme" quota vms is 1: 1 in use, this call asks for 1 more/,
    );
    expect(f.error.findDetails(rpc.ErrorInfoSchema)[0]?.metadata).toMatchObject({
      quota: "vms",
      limit: "1",
      used: "1",
      requested: "1",
    });
    expect(f.details?.resource).toMatchObject({ kind: "Project", id: project!.id, name: "acme" });
    const { project: read } = await projects.getProject({ id: project!.id });
    expect(read?.usage).toMatchObject({ vms: 1, vcpus: 2, memoryMib: 1024n, volumes: 0, storageGib: 0n });
    const { project: open } = await projects.createProject({ name: "open" });
    expect(open?.usage).toBeUndefined();
  });
});
