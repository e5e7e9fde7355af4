import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { storage } from "@limiquantix/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RpcHarness, startRpcHarness } from "../testing/rpc-harness";
import { expectRpcError } from "../rpc/rpc-test-support";

let h: RpcHarness;
let volumes: ReturnType<typeof h.client<typeof storage.VolumeService>>;
let poolId: string;
let n = 0;
beforeAll(async () => {
  h = await startRpcHarness();
  volumes = h.client(storage.VolumeService);
  await h.registerNode("n1", 8, 32768);
  poolId = (
    await h.services.pools.create(h.ctx, { name: "main", spec: { type: "LOCAL_DIR", capacityGib: 1000 } })
  ).id;
});
afterAll(async () => {
  await h.close();
});

const spec = (sizeGib: number, pool = poolId) =>
  create(storage.VolumeSpecSchema, { poolId: pool, sizeGib: BigInt(sizeGib) });
const newVolume = async (sizeGib = 10, labels: Record<string, string> = {}) => {
  const { volume } = await volumes.createVolume({
    name: `v${++n}`,
    projectId: h.projectId,
    labels,
    spec: spec(sizeGib),
  });
  return volume!;
};
const newVm = async () =>
  h.services.vms.create(h.ctx, {
    projectId: h.projectId,
    name: `vm${++n}`,
    spec: { cpu: { vcpus: 1 }, memory: { sizeMib: 512 } },
  });
const smallPool = async (capacityGib: number) =>
  (await h.services.pools.create(h.ctx, { name: `small${++n}`, spec: { type: "NFS", capacityGib } })).id;

describe("VolumeService lifecycle over Connect", () => {
  it("creates, reads, lists, updates and deletes a volume", async () => {
    const v = await newVolume(10, { app: "db" });
    expect(v.status?.phase).toBe(storage.VolumePhase.AVAILABLE);
    expect(v.spec?.provisioning).toBe(storage.Provisioning.THIN);
    expect((await volumes.getVolume({ id: v.id })).volume?.spec?.sizeGib).toBe(10n);
    const listed = await volumes.listVolumes({
      projectId: h.projectId,
      poolId,
      labelSelector: "app=db",
      states: [storage.VolumePhase.AVAILABLE],
    });
    expect(listed.volumes.map((x) => x.id)).toEqual([v.id]);
    expect(listed.totalCount).toBe(1);

    const { volume: described } = await volumes.updateVolume({
      id: v.id,
      resourceVersion: v.resourceVersion,
      description: "orders",
    });
    expect(described?.spec?.description).toBe("orders");
    expect(described?.labels).toEqual({ app: "db" });
    const { volume: cleared } = await volumes.updateVolume({ id: v.id, updateMask: { paths: ["labels"] } });
    expect(cleared?.labels).toEqual({});
    expect(cleared?.spec?.description).toBe("orders");

    await volumes.deleteVolume({ id: v.id, resourceVersion: cleared!.resourceVersion });
    await expectRpcError(volumes.getVolume({ id: v.id }), Code.NotFound);
  });

  it("creates a volume over gRPC", async () => {
    const grpcVolumes = h.client(storage.VolumeService, h.grpc);
    const { volume } = await grpcVolumes.createVolume({
      name: "over-grpc",
      projectId: h.projectId,
      spec: spec(1),
    });
    expect(volume?.status?.phase).toBe(storage.VolumePhase.AVAILABLE);
  });

  it("refuses a volume larger than what its pool has left with ResourceExhausted", async () => {
    const pool = await smallPool(20);
    await volumes.createVolume({ name: `fill${n}`, projectId: h.projectId, spec: spec(15, pool) });
    const err = await expectRpcError(
      volumes.createVolume({ name: `over${n}`, projectId: h.projectId, spec: spec(10, pool) }),
      Code.ResourceExhausted,
    );
    expect(err.rawMessage).toMatch(/has 5 GiB free/);
  });

  it("refuses missing or malformed input with field violations", async () => {
    await expectRpcError(
      volumes.createVolume({ name: "nospec", projectId: h.projectId }),
      Code.InvalidArgument,
      "spec",
    );
    await expectRpcError(
      volumes.createVolume({ name: "noproject", spec: spec(1) }),
      Code.InvalidArgument,
      "project_id",
    );
    await expectRpcError(
      volumes.createVolume({
        name: "oddprov",
        projectId: h.projectId,
        spec: { ...spec(1), provisioning: 9 as storage.Provisioning },
      }),
      Code.InvalidArgument,
      "spec.provisioning",
    );
    await expectRpcError(
      volumes.createVolume({ name: "nopool", projectId: h.projectId, spec: spec(1, "no-such-pool") }),
      Code.InvalidArgument,
      "spec.pool_id",
    );
    await expectRpcError(
      volumes.listVolumes({ states: [77 as storage.VolumePhase] }),
      Code.InvalidArgument,
      "states[0]",
    );
  });

  it("refuses a duplicate name in the project with AlreadyExists", async () => {
    const v = await newVolume();
    await expectRpcError(
      volumes.createVolume({ name: v.name, projectId: h.projectId, spec: spec(1) }),
      Code.AlreadyExists,
    );
  });

  it("refuses a stale resource_version with Aborted", async () => {
    const v = await newVolume();
    await volumes.updateVolume({ id: v.id, description: "x" });
    await expectRpcError(
      volumes.updateVolume({ id: v.id, resourceVersion: v.resourceVersion, description: "y" }),
      Code.Aborted,
    );
    await expectRpcError(
      volumes.deleteVolume({ id: v.id, resourceVersion: v.resourceVersion }),
      Code.Aborted,
    );
  });

  it("grows a volume, refuses to shrink it, and refuses growth past the pool", async () => {
    const pool = await smallPool(30);
    const { volume: v } = await volumes.createVolume({
      name: `grow${n}`,
      projectId: h.projectId,
      spec: spec(10, pool),
    });
    expect((await volumes.resizeVolume({ id: v!.id, sizeGib: 20n })).volume?.spec?.sizeGib).toBe(20n);
    await expectRpcError(volumes.resizeVolume({ id: v!.id, sizeGib: 5n }), Code.InvalidArgument, "size_gib");
    await expectRpcError(volumes.resizeVolume({ id: v!.id, sizeGib: 40n }), Code.ResourceExhausted);
    await expectRpcError(volumes.resizeVolume({ id: "missing", sizeGib: 40n }), Code.NotFound);
  });
});

describe("VolumeService attach, detach, clone and snapshots over Connect", () => {
  it("attaches a volume to a VM, refuses to delete it while attached, and detaches it", async () => {
    const v = await newVolume();
    const vm = await newVm();
    const { volume: attached } = await volumes.attachVolume({
      id: v.id,
      vmId: vm.id,
      diskName: "data",
      readOnly: true,
    });
    expect(attached?.status?.phase).toBe(storage.VolumePhase.IN_USE);
    expect(attached?.status?.attachment?.vmId).toBe(vm.id);
    expect(attached?.status?.attachment?.device).toBe("data");
    expect((await h.services.vms.get(h.ctx, vm.id)).spec.disks).toEqual([
      expect.objectContaining({ name: "data", volumeId: v.id, readOnly: true }),
    ]);
    expect((await volumes.listVolumes({ vmId: vm.id })).volumes.map((x) => x.id)).toEqual([v.id]);

    await expectRpcError(volumes.deleteVolume({ id: v.id }), Code.FailedPrecondition);
    await expectRpcError(
      volumes.attachVolume({ id: v.id, vmId: (await newVm()).id }),
      Code.FailedPrecondition,
    );

    const { volume: detached } = await volumes.detachVolume({ id: v.id });
    expect(detached?.status?.phase).toBe(storage.VolumePhase.AVAILABLE);
    expect(detached?.status?.attachment).toBeUndefined();
    expect((await h.services.vms.get(h.ctx, vm.id)).spec.disks).toEqual([]);
    await expectRpcError(volumes.detachVolume({ id: v.id }), Code.FailedPrecondition);
  });

  it("refuses to attach to an unknown VM or without a vm_id", async () => {
    const v = await newVolume();
    await expectRpcError(volumes.attachVolume({ id: v.id, vmId: "no-such-vm" }), Code.NotFound);
    await expectRpcError(volumes.attachVolume({ id: v.id }), Code.InvalidArgument, "vm_id");
  });

  it("clones a volume into another pool with new labels", async () => {
    const v = await newVolume(8, { app: "web" });
    const other = await smallPool(100);
    const { volume: copy } = await volumes.cloneVolume({
      id: v.id,
      name: `copy${n}`,
      poolId: other,
      labels: { copy: "yes" },
    });
    expect(copy?.spec?.poolId).toBe(other);
    expect(copy?.spec?.sizeGib).toBe(8n);
    expect(copy?.labels).toEqual({ copy: "yes" });
    const full = await smallPool(5);
    await expectRpcError(
      volumes.cloneVolume({ id: v.id, name: `nope${n}`, poolId: full }),
      Code.ResourceExhausted,
    );
  });

  it("takes, lists, restores and deletes snapshots of a volume", async () => {
    const v = await newVolume();
    const { snapshot } = await volumes.createVolumeSnapshot({
      volumeId: v.id,
      name: "before",
      description: "pre-upgrade",
    });
    expect(snapshot?.phase).toBe(storage.VolumeSnapshotPhase.READY);
    expect(snapshot?.sizeGib).toBe(10n);
    await expectRpcError(
      volumes.createVolumeSnapshot({ volumeId: v.id, name: "before" }),
      Code.AlreadyExists,
    );
    const listed = await volumes.listVolumeSnapshots({ volumeId: v.id });
    expect(listed.snapshots.map((s) => s.name)).toEqual(["before"]);

    const { volume: restored } = await volumes.restoreVolumeSnapshot({
      volumeId: v.id,
      snapshotId: snapshot!.id,
    });
    expect(restored?.spec?.sourceSnapshotId).toBe(snapshot!.id);
    expect(restored?.status?.message).toMatch(/restored from snapshot before/);

    await expectRpcError(volumes.deleteVolume({ id: v.id }), Code.FailedPrecondition);
    const other = await newVolume();
    await expectRpcError(
      volumes.deleteVolumeSnapshot({ volumeId: other.id, snapshotId: snapshot!.id }),
      Code.NotFound,
    );
    await volumes.deleteVolumeSnapshot({ volumeId: v.id, snapshotId: snapshot!.id });
    expect((await volumes.listVolumeSnapshots({ volumeId: v.id })).snapshots).toEqual([]);
    await volumes.deleteVolume({ id: v.id });
  });

  it("refuses to restore a snapshot onto an attached volume", async () => {
    const v = await newVolume();
    const { snapshot } = await volumes.createVolumeSnapshot({ volumeId: v.id, name: "s" });
    await volumes.attachVolume({ id: v.id, vmId: (await newVm()).id });
    await expectRpcError(
      volumes.restoreVolumeSnapshot({ volumeId: v.id, snapshotId: snapshot!.id }),
      Code.FailedPrecondition,
    );
    await expectRpcError(volumes.listVolumeSnapshots({ volumeId: "missing" }), Code.NotFound);
  });
});
