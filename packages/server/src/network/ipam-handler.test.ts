import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { compute, network } from "@limiquantix/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectRpcError } from "../rpc/rpc-test-support";
import { type RpcHarness, startRpcHarness } from "../testing/rpc-harness";

let h: RpcHarness;
let networks: ReturnType<typeof h.client<typeof network.VirtualNetworkService>>;
let vms: ReturnType<typeof h.client<typeof compute.VMService>>;
beforeAll(async () => {
  h = await startRpcHarness();
  networks = h.client(network.VirtualNetworkService);
  vms = h.client(compute.VMService);
  await h.registerNode("n1", 16, 65_536);
});
afterAll(async () => {
  await h.close();
});

async function newNetwork(
  name: string,
  spec: { cidr: string; gateway?: string; reservedRanges?: { start: string; end: string }[] },
) {
  const { virtualNetwork } = await networks.createVirtualNetwork({
    name,
    projectId: h.projectId,
    spec: create(network.VirtualNetworkSpecSchema, { type: network.NetworkType.OVERLAY, ...spec }),
  });
  return virtualNetwork!;
}

function createVm(name: string, nics: { networkId: string; ipAddress?: string }[]) {
  return vms.createVM({
    projectId: h.projectId,
    name,
    spec: { vcpus: 1, memoryMib: 512n, nics: nics.map((n, i) => ({ name: `eth${i}`, ...n })) },
  });
}

describe("network addresses over Connect", () => {
  it("shows a network's address usage and allocations on GetVirtualNetwork", async () => {
    const net = await newNetwork("usage", {
      cidr: "10.110.0.0/28",
      gateway: "10.110.0.1",
      reservedRanges: [{ start: "10.110.0.10", end: "10.110.0.12" }],
    });
    expect(net.spec?.reservedRanges).toEqual([
      expect.objectContaining({ start: "10.110.0.10", end: "10.110.0.12" }),
    ]);
    expect(net.status?.usage).toMatchObject({ size: 10n, allocated: 0n, free: 10n });
    const { vm } = await createVm("usage-vm", [
      { networkId: net.id },
      { networkId: net.id, ipAddress: "10.110.0.9" },
    ]);
    expect(vm?.status?.nics.map((n) => [n.name, n.ipAddress])).toEqual([
      ["eth0", "10.110.0.2"],
      ["eth1", "10.110.0.9"],
    ]);
    expect(vm?.spec?.nics[1]?.ipAddress).toBe("10.110.0.9");
    const { virtualNetwork } = await networks.getVirtualNetwork({ id: net.id });
    expect(virtualNetwork?.status?.usage).toMatchObject({ size: 10n, allocated: 2n, free: 8n });
    expect(virtualNetwork?.status?.allocations.map((a) => [a.address, a.vmId, a.nic, a.macAddress])).toEqual([
      ["10.110.0.2", vm!.id, "eth0", vm!.status!.nics[0]!.macAddress],
      ["10.110.0.9", vm!.id, "eth1", vm!.status!.nics[1]!.macAddress],
    ]);

    const topo = await networks.getNetworkTopology({ networkId: net.id });
    const vertex = topo.nodes.find((v) => v.id === net.id);
    expect(vertex?.attributes).toMatchObject({
      addresses_size: "10",
      addresses_allocated: "2",
      addresses_free: "8",
    });
    expect(topo.nodes.find((v) => v.id === vm!.id)?.attributes.nic_addresses).toBe(
      "eth0=10.110.0.2,eth1=10.110.0.9",
    );

    await vms.deleteVM({ id: vm!.id });
    expect((await networks.getVirtualNetwork({ id: net.id })).virtualNetwork?.status?.usage).toMatchObject({
      allocated: 0n,
      free: 10n,
    });
  });

  it("names spec.nics[0].ip_address when a fixed address is refused", async () => {
    const net = await newNetwork("fixed-wire", { cidr: "10.120.0.0/24", gateway: "10.120.0.1" });
    const outside = await expectRpcError(
      createVm("outside", [{ networkId: net.id, ipAddress: "10.121.0.5" }]),
      Code.InvalidArgument,
      "spec.nics[0].ip_address",
    );
    expect(outside.rawMessage).toMatch(
      /spec\.nics\[0\]\.ip_address must be an address network "fixed-wire" can give a NIC/,
    );
    await expectRpcError(
      createVm("gateway", [{ networkId: net.id, ipAddress: "10.120.0.1" }]),
      Code.InvalidArgument,
      "spec.nics[0].ip_address",
    );
    await expectRpcError(
      createVm("not-ipv4", [{ networkId: net.id, ipAddress: "10.120.0.300" }]),
      Code.InvalidArgument,
      "spec.nics[0].ip_address",
    );
    await createVm("holder", [{ networkId: net.id, ipAddress: "10.120.0.7" }]);
    const taken = await expectRpcError(
      createVm("taken", [{ networkId: net.id, ipAddress: "10.120.0.7" }]),
      Code.AlreadyExists,
      "spec.nics[0].ip_address",
    );
    expect(taken.rawMessage).toMatch(
      /^spec\.nics\[0\]\.ip_address 10\.120\.0\.7 is already held on network "fixed-wire"/,
    );
  });

  it("answers ResourceExhausted naming the network and its size when its pool is used up", async () => {
    const net = await newNetwork("full", { cidr: "10.130.0.0/30" });
    await createVm("full-1", [{ networkId: net.id }]);
    await createVm("full-2", [{ networkId: net.id }]);
    const err = await expectRpcError(createVm("full-3", [{ networkId: net.id }]), Code.ResourceExhausted);
    expect(err.rawMessage).toMatch(
      /network "full" \(10\.130\.0\.0\/30\) has no free address .*all 2 addresses of its pool are allocated/,
    );
  });
});
