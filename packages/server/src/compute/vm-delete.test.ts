import { Code } from "@connectrpc/connect";
import { compute } from "@limiquantix/api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RpcHarness, startRpcHarness } from "../testing/rpc-harness";
import { expectCode } from "../rpc/rpc-test-support";

let h: RpcHarness;
beforeEach(async () => {
  h = await startRpcHarness();
});
afterEach(async () => {
  await h.close();
});

describe("VMService.DeleteVM with volumes", () => {
  it("refuses a VM with volumes unless detach_volumes is set, then frees the volume", async () => {
    await h.registerNode("n1", 4, 16384);
    const pool = await h.services.pools.create(h.ctx, {
      name: "p",
      spec: { type: "LOCAL_DIR", capacityGib: 50 },
    });
    const volume = await h.services.volumes.createVolume(h.ctx, {
      projectId: h.projectId,
      name: "data",
      spec: { poolId: pool.id, sizeGib: 5 },
    });
    const created = await h.services.vms.create(h.ctx, {
      projectId: h.projectId,
      name: "db",
      spec: { cpu: { vcpus: 1 }, memory: { sizeMib: 512 }, disks: [{ name: "data", volumeId: volume.id }] },
    });
    const vms = h.client(compute.VMService);
    await expectCode(vms.deleteVM({ id: created.id }), Code.FailedPrecondition, /detach_volumes/);

    await vms.deleteVM({ id: created.id, detachVolumes: true });
    await expectCode(vms.getVM({ id: created.id }), Code.NotFound);
    expect((await h.services.volumes.get(h.ctx, volume.id)).status.phase).toBe("AVAILABLE");
  });
});
