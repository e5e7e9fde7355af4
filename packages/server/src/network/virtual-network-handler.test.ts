import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { network } from "@limiquantix/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RpcHarness, startRpcHarness } from "../testing/rpc-harness";
import { expectRpcError } from "../rpc/rpc-test-support";

let h: RpcHarness;
let networks: ReturnType<typeof h.client<typeof network.VirtualNetworkService>>;
let nodeId: string;
let n = 0;
beforeAll(async () => {
  h = await startRpcHarness();
  networks = h.client(network.VirtualNetworkService);
  nodeId = await h.registerNode("n1", 8, 32768);
});
afterAll(async () => {
  await h.close();
});

const overlay = (
  cidr: string,
  init: { gateway?: string; vni?: number; mtu?: number; type?: network.NetworkType } = {},
) => create(network.VirtualNetworkSpecSchema, { type: network.NetworkType.OVERLAY, cidr, ...init });
const newNetwork = async (
  cidr: string,
  init: { gateway?: string; vni?: number; mtu?: number; type?: network.NetworkType } = {},
) => {
  const { virtualNetwork } = await networks.createVirtualNetwork({
    name: `net${++n}`,
    projectId: h.projectId,
    spec: overlay(cidr, init),
  });
  return virtualNetwork!;
};

describe("VirtualNetworkService over Connect", () => {
  it("creates, reads, lists, updates and deletes a network", async () => {
    const net = await newNetwork("10.10.0.0/24", { gateway: "10.10.0.1", vni: 5001 });
    expect(net.spec?.mtu).toBe(1500);
    expect(net.spec?.dhcp?.enabled).toBe(true);
    expect(net.spec?.gateway).toBe("10.10.0.1");
    expect(net.status?.phase).toBe(network.NetworkPhase.READY);
    expect((await networks.getVirtualNetwork({ id: net.id })).virtualNetwork?.spec?.cidr).toBe(
      "10.10.0.0/24",
    );
    const listed = await networks.listVirtualNetworks({ projectId: h.projectId });
    expect(listed.virtualNetworks.map((x) => x.id)).toContain(net.id);

    const { virtualNetwork: tuned } = await networks.updateVirtualNetwork({
      id: net.id,
      resourceVersion: net.resourceVersion,
      spec: overlay("", { mtu: 9000 }),
      updateMask: { paths: ["spec.mtu"] },
    });
    expect(tuned?.spec?.mtu).toBe(9000);
    expect(tuned?.spec?.cidr).toBe("10.10.0.0/24");
    expect(tuned?.spec?.vni).toBe(5001);

    await networks.deleteVirtualNetwork({ id: net.id, resourceVersion: tuned!.resourceVersion });
    await expectRpcError(networks.getVirtualNetwork({ id: net.id }), Code.NotFound);
  });

  it("refuses a gateway outside the CIDR, a VLAN network without vlan_id and a missing spec", async () => {
    const create1 = (spec?: network.VirtualNetworkSpec) =>
      networks.createVirtualNetwork({ name: `bad${++n}`, projectId: h.projectId, ...(spec ? { spec } : {}) });
    const err = await expectRpcError(
      create1(overlay("10.20.0.0/24", { gateway: "10.99.0.1" })),
      Code.InvalidArgument,
      "spec.gateway",
    );
    expect(err.rawMessage).toMatch(/must lie inside 10\.20\.0\.0\/24/);
    await expectRpcError(
      create1(
        create(network.VirtualNetworkSpecSchema, { type: network.NetworkType.VLAN, cidr: "10.21.0.0/24" }),
      ),
      Code.InvalidArgument,
      "spec.vlan_id",
    );
    await expectRpcError(create1(overlay("10.22.0.1/24")), Code.InvalidArgument, "spec.cidr");
    await expectRpcError(
      create1(overlay("10.23.0.0/24", { type: 7 as network.NetworkType })),
      Code.InvalidArgument,
      "spec.type",
    );
    await expectRpcError(create1(), Code.InvalidArgument, "spec");
  });

  it("refuses a CIDR that overlaps another network of the project, on create and on update", async () => {
    await newNetwork("10.30.0.0/16");
    const err = await expectRpcError(
      networks.createVirtualNetwork({
        name: "inside",
        projectId: h.projectId,
        spec: overlay("10.30.5.0/24"),
      }),
      Code.FailedPrecondition,
    );
    expect(err.rawMessage).toMatch(/overlaps network/);
    const other = await newNetwork("10.31.0.0/24");
    await expectRpcError(
      networks.updateVirtualNetwork({
        id: other.id,
        spec: overlay("10.30.128.0/24"),
        updateMask: { paths: ["spec.cidr"] },
      }),
      Code.FailedPrecondition,
    );
    await expectRpcError(
      networks.updateVirtualNetwork({
        id: other.id,
        spec: create(network.VirtualNetworkSpecSchema, { type: network.NetworkType.EXTERNAL }),
        updateMask: { paths: ["spec.type"] },
      }),
      Code.InvalidArgument,
      "spec.type",
    );
  });

  it("refuses a duplicate name with AlreadyExists and a stale resource_version with Aborted", async () => {
    const net = await newNetwork("10.40.0.0/24");
    await expectRpcError(
      networks.createVirtualNetwork({
        name: net.name,
        projectId: h.projectId,
        spec: overlay("10.41.0.0/24"),
      }),
      Code.AlreadyExists,
    );
    await networks.updateVirtualNetwork({ id: net.id, labels: { a: "b" } });
    await expectRpcError(
      networks.updateVirtualNetwork({ id: net.id, resourceVersion: 1n, labels: { a: "c" } }),
      Code.Aborted,
    );
    await expectRpcError(networks.deleteVirtualNetwork({ id: net.id, resourceVersion: 1n }), Code.Aborted);
  });

  it("reports the topology of a network and refuses to delete it while a VM uses it", async () => {
    const net = await newNetwork("10.50.0.0/24", { gateway: "10.50.0.1", vni: 77 });
    const vm = await h.services.vms.create(h.ctx, {
      projectId: h.projectId,
      name: "topo-vm",
      spec: { cpu: { vcpus: 1 }, memory: { sizeMib: 512 }, nics: [{ name: "eth0", networkId: net.id }] },
    });
    const grpcNetworks = h.client(network.VirtualNetworkService, h.grpc);
    const topo = await grpcNetworks.getNetworkTopology({ projectId: h.projectId, networkId: net.id });
    const kinds = Object.fromEntries(topo.nodes.map((v) => [v.id, v.kind]));
    expect(kinds[net.id]).toBe(network.TopologyNodeKind.NETWORK);
    expect(kinds[`${net.id}/gateway`]).toBe(network.TopologyNodeKind.GATEWAY);
    expect(kinds[nodeId]).toBe(network.TopologyNodeKind.HOST);
    expect(kinds[vm.id]).toBe(network.TopologyNodeKind.VM);
    const links = topo.links.map((l) => `${l.fromId}>${l.toId}:${l.label}`);
    expect(links).toEqual(
      expect.arrayContaining([
        `${net.id}>${nodeId}:vni 77`,
        `${vm.id}>${net.id}:eth0`,
        `${vm.id}>${nodeId}:runs on`,
      ]),
    );
    const whole = await networks.getNetworkTopology({ projectId: h.projectId });
    expect(whole.nodes.filter((v) => v.kind === network.TopologyNodeKind.NETWORK).length).toBeGreaterThan(1);

    await expectRpcError(networks.deleteVirtualNetwork({ id: net.id }), Code.FailedPrecondition);
    await expectRpcError(networks.getNetworkTopology({ networkId: "missing" }), Code.NotFound);
    await expectRpcError(
      networks.getNetworkTopology({ projectId: "another", networkId: net.id }),
      Code.InvalidArgument,
      "network_id",
    );
  });
});
