import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { common, storage } from "@limiquantix/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RpcHarness, startRpcHarness } from "../testing/rpc-harness";
import { expectRpcError } from "../rpc/rpc-test-support";

let h: RpcHarness;
let pools: ReturnType<typeof h.client<typeof storage.StoragePoolService>>;
beforeAll(async () => {
  h = await startRpcHarness();
  pools = h.client(storage.StoragePoolService);
});
afterAll(async () => {
  await h.close();
});

const spec = (capacityGib: number, type = storage.StoragePoolType.NFS) =>
  create(storage.StoragePoolSpecSchema, {
    type,
    capacityGib: BigInt(capacityGib),
    config: { export: "/srv/a" },
  });

describe("StoragePoolService over Connect", () => {
  it("creates, reads, lists, updates and deletes a pool", async () => {
    const { storagePool: p } = await pools.createStoragePool({
      name: "fast",
      labels: { tier: "ssd" },
      spec: spec(500),
    });
    expect(p?.spec?.type).toBe(storage.StoragePoolType.NFS);
    expect(p?.spec?.capacityGib).toBe(500n);
    expect(p?.spec?.overprovisionRatio).toBe(1);
    expect(p?.status?.phase).toBe(storage.StoragePoolPhase.READY);
    // A resource's version is the cluster-wide revision of its last change.
    expect(p?.resourceVersion).toBeGreaterThan(0n);
    expect(p?.createTime).toBeDefined();

    expect((await pools.getStoragePool({ id: p!.id })).storagePool?.name).toBe("fast");
    await pools.createStoragePool({ name: "slow", labels: { tier: "hdd" }, spec: spec(100) });
    const ssd = await pools.listStoragePools({ labelSelector: "tier=ssd" });
    expect(ssd.storagePools.map((x) => x.name)).toEqual(["fast"]);
    const first = await pools.listStoragePools({ pageSize: 1, labelSelector: "tier" });
    expect(first.storagePools).toHaveLength(1);
    expect(first.totalCount).toBe(2);
    const second = await pools.listStoragePools({
      pageSize: 1,
      labelSelector: "tier",
      pageToken: first.nextPageToken,
    });
    expect(second.storagePools[0]?.id).not.toBe(first.storagePools[0]?.id);
    expect(second.nextPageToken).toBe("");

    const { storagePool: grown } = await pools.updateStoragePool({
      id: p!.id,
      resourceVersion: p!.resourceVersion,
      spec: create(storage.StoragePoolSpecSchema, { capacityGib: 800n }),
      updateMask: { paths: ["spec.capacity_gib"] },
    });
    expect(grown?.spec?.capacityGib).toBe(800n);
    expect(grown?.spec?.config).toEqual({ export: "/srv/a" });
    expect(grown?.labels).toEqual({ tier: "ssd" });

    const { storagePool: relabelled } = await pools.updateStoragePool({
      id: p!.id,
      labels: { tier: "nvme" },
    });
    expect(relabelled?.labels).toEqual({ tier: "nvme" });
    expect(relabelled?.spec?.capacityGib).toBe(800n);

    await pools.deleteStoragePool({ id: p!.id, resourceVersion: relabelled!.resourceVersion });
    await expectRpcError(pools.getStoragePool({ id: p!.id }), Code.NotFound);
  });

  it("answers over gRPC on the same port", async () => {
    const grpcPools = h.client(storage.StoragePoolService, h.grpc);
    const { storagePool: p } = await grpcPools.createStoragePool({ name: "grpc-pool", spec: spec(10) });
    expect((await pools.getStoragePool({ id: p!.id })).storagePool?.name).toBe("grpc-pool");
    await expectRpcError(grpcPools.getStoragePool({ id: "missing" }), Code.NotFound);
  });

  it("refuses a create without a spec, naming the field", async () => {
    await expectRpcError(pools.createStoragePool({ name: "nospec" }), Code.InvalidArgument, "spec");
  });

  it("refuses an unspecified or unknown pool type, naming spec.type", async () => {
    await expectRpcError(
      pools.createStoragePool({ name: "untyped", spec: spec(10, storage.StoragePoolType.UNSPECIFIED) }),
      Code.InvalidArgument,
      "spec.type",
    );
    await expectRpcError(
      pools.createStoragePool({ name: "odd", spec: spec(10, 42 as storage.StoragePoolType) }),
      Code.InvalidArgument,
      "spec.type",
    );
  });

  it("refuses a bad name and a zero capacity with field violations", async () => {
    await expectRpcError(
      pools.createStoragePool({ name: "Bad_Name", spec: spec(10) }),
      Code.InvalidArgument,
      "name",
    );
    const err = await expectRpcError(
      pools.createStoragePool({ name: "empty", spec: spec(0) }),
      Code.InvalidArgument,
    );
    const [details] = err.findDetails(common.ErrorDetailsSchema);
    expect(details?.fieldViolations.map((v) => v.field)).toEqual(["spec.capacity_gib"]);
    expect(err.rawMessage).toMatch(/spec\.capacity_gib must be at least 1/);
  });

  it("refuses a duplicate name with AlreadyExists", async () => {
    await pools.createStoragePool({ name: "twice", spec: spec(10) });
    await expectRpcError(pools.createStoragePool({ name: "twice", spec: spec(10) }), Code.AlreadyExists);
  });

  it("refuses a stale resource_version with Aborted, on update and on delete", async () => {
    const { storagePool: p } = await pools.createStoragePool({ name: "versioned", spec: spec(10) });
    await pools.updateStoragePool({ id: p!.id, labels: { a: "b" } });
    await expectRpcError(
      pools.updateStoragePool({ id: p!.id, resourceVersion: 1n, labels: { a: "c" } }),
      Code.Aborted,
    );
    await expectRpcError(pools.deleteStoragePool({ id: p!.id, resourceVersion: 1n }), Code.Aborted);
  });

  it("refuses an update_mask path it cannot change", async () => {
    const { storagePool: p } = await pools.createStoragePool({ name: "masked", spec: spec(10) });
    await expectRpcError(
      pools.updateStoragePool({ id: p!.id, updateMask: { paths: ["status.phase"] } }),
      Code.InvalidArgument,
      "update_mask.paths[0]",
    );
  });

  it("keeps a pool's type and never shrinks it below what its volumes take", async () => {
    const { storagePool: p } = await pools.createStoragePool({ name: "held", spec: spec(100) });
    await h.services.volumes.createVolume(h.ctx, {
      projectId: h.projectId,
      name: "held-v",
      spec: { poolId: p!.id, sizeGib: 60 },
    });
    await expectRpcError(
      pools.updateStoragePool({ id: p!.id, spec: spec(40), updateMask: { paths: ["spec.capacity_gib"] } }),
      Code.FailedPrecondition,
    );
    await expectRpcError(
      pools.updateStoragePool({
        id: p!.id,
        spec: spec(100, storage.StoragePoolType.CEPH_RBD),
        updateMask: { paths: ["spec.type"] },
      }),
      Code.InvalidArgument,
      "spec.type",
    );
    const { storagePool: after } = await pools.getStoragePool({ id: p!.id });
    expect(after?.status?.allocatedGib).toBe(60n);
  });

  it("refuses to delete a pool that still holds volumes", async () => {
    const { storagePool: p } = await pools.createStoragePool({ name: "busy", spec: spec(100) });
    await h.services.volumes.createVolume(h.ctx, {
      projectId: h.projectId,
      name: "busy-v",
      spec: { poolId: p!.id, sizeGib: 1 },
    });
    await expectRpcError(pools.deleteStoragePool({ id: p!.id }), Code.FailedPrecondition);
  });

  it("refuses a malformed label selector, naming label_selector", async () => {
    await expectRpcError(
      pools.listStoragePools({ labelSelector: "tier in (" }),
      Code.InvalidArgument,
      "label_selector",
    );
  });
});
