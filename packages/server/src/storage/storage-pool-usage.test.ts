import { storage } from "@limiquantix/api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RpcHarness, startRpcHarness } from "../testing/rpc-harness";

let h: RpcHarness;
beforeEach(async () => {
  h = await startRpcHarness();
});
afterEach(async () => {
  await h.close();
});

describe("storage pool usage", () => {
  it("fills used_gib with the space thick volumes hold, beside allocated_gib for every volume", async () => {
    const pools = h.client(storage.StoragePoolService);
    const volumes = h.client(storage.VolumeService);
    const { storagePool } = await pools.createStoragePool({
      name: "p",
      spec: { type: storage.StoragePoolType.LOCAL_DIR, capacityGib: 100n, overprovisionRatio: 1 },
    });
    const poolId = storagePool!.id;
    const usage = async () => {
      const s = (await pools.getStoragePool({ id: poolId })).storagePool!.status!;
      return { allocated: s.allocatedGib, used: s.usedGib };
    };
    const { volume: thick } = await volumes.createVolume({
      name: "thick",
      projectId: h.projectId,
      spec: { poolId, sizeGib: 10n, provisioning: storage.Provisioning.THICK },
    });
    await volumes.createVolume({ name: "thin", projectId: h.projectId, spec: { poolId, sizeGib: 5n } });
    expect(await usage()).toEqual({ allocated: 15n, used: 10 });
    await volumes.resizeVolume({ id: thick!.id, sizeGib: 12n });
    expect(await usage()).toEqual({ allocated: 17n, used: 12 });
    await volumes.deleteVolume({ id: thick!.id });
    expect(await usage()).toEqual({ allocated: 5n, used: 0 });
  });
});
