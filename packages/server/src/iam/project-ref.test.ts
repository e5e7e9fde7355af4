import { Code } from "@connectrpc/connect";
import { compute, iam, network, storage } from "@limiquantix/api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { expectCode } from "../rpc/rpc-test-support";
import { type RpcHarness, startRpcHarness } from "../testing/rpc-harness";

let h: RpcHarness;
beforeEach(async () => {
  h = await startRpcHarness();
});
afterEach(async () => {
  await h.close();
});

describe("a project given by name", () => {
  it("is accepted wherever a project id is, on create and in list filters", async () => {
    await h.registerNode("n1", 4, 16384);
    const { vm } = await h
      .client(compute.VMService)
      .createVM({ projectId: "default", name: "web", spec: { vcpus: 1, memoryMib: 512n } });
    expect(vm?.projectId).toBe(h.projectId);
    const { virtualNetwork } = await h.client(network.VirtualNetworkService).createVirtualNetwork({
      projectId: "default",
      name: "lan",
      spec: { type: network.NetworkType.OVERLAY, cidr: "10.20.0.0/24" },
    });
    expect(virtualNetwork?.projectId).toBe(h.projectId);
    const { securityGroup } = await h
      .client(network.SecurityGroupService)
      .createSecurityGroup({ projectId: "default", name: "web" });
    expect(securityGroup?.projectId).toBe(h.projectId);
    const { storagePool } = await h.client(storage.StoragePoolService).createStoragePool({
      name: "p",
      spec: { type: storage.StoragePoolType.LOCAL_DIR, capacityGib: 10n, overprovisionRatio: 1 },
    });
    const { volume } = await h.client(storage.VolumeService).createVolume({
      projectId: "default",
      name: "data",
      spec: { poolId: storagePool!.id, sizeGib: 1n },
    });
    expect(volume?.projectId).toBe(h.projectId);
    const listed = await h.client(compute.VMService).listVMs({ projectId: "default" });
    expect(listed.vms.map((v) => v.name)).toEqual(["web"]);
    const networks = await h
      .client(network.VirtualNetworkService)
      .listVirtualNetworks({ projectId: "default" });
    expect(networks.virtualNetworks.map((n) => n.name)).toEqual(["lan"]);
  });

  it("that names no project is refused with advice that works when followed", async () => {
    await h.registerNode("n1", 4, 16384);
    const vms = h.client(compute.VMService);
    const f = await expectCode(
      vms.createVM({ projectId: "team-a", name: "web", spec: { vcpus: 1, memoryMib: 512n } }),
      Code.FailedPrecondition,
    );
    expect(f.message).toMatch(/CreateProject with name "team-a"/);
    await h.client(iam.ProjectService).createProject({ name: "team-a" });
    const { vm } = await vms.createVM({
      projectId: "team-a",
      name: "web",
      spec: { vcpus: 1, memoryMib: 512n },
    });
    expect(vm?.name).toBe("web");
  });
});
