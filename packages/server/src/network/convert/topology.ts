import { create } from "@bufbuild/protobuf";
import { network } from "@limiquantix/api";
import type { VirtualNetwork } from "@limiquantix/domain";
import type { NetworkTopology } from "../virtual-network-service";

/** TopologyGraph is the wire form of GetNetworkTopology: vertices and the links between them. */
export interface TopologyGraph {
  readonly nodes: network.TopologyNode[];
  readonly links: network.TopologyLink[];
}

/** gatewayVertexId is the vertex id of a network's gateway (a gateway has no id of its own). */
export function gatewayVertexId(networkId: string): string {
  return `${networkId}/gateway`;
}

function carrierLabel(n: VirtualNetwork): string {
  if (n.spec.type === "VLAN") return `vlan ${n.spec.vlanId}`;
  if (n.spec.type === "OVERLAY") return n.spec.vni === undefined ? "overlay" : `vni ${n.spec.vni}`;
  return "external";
}

function networkAttributes(n: VirtualNetwork): Record<string, string> {
  return {
    project_id: n.projectId,
    type: n.spec.type,
    cidr: n.spec.cidr,
    mtu: String(n.spec.mtu),
    ...(n.spec.vlanId !== undefined ? { vlan_id: String(n.spec.vlanId) } : {}),
    ...(n.spec.vni !== undefined ? { vni: String(n.spec.vni) } : {}),
  };
}

/**
 * topologyGraph merges the topologies of several networks into one graph: a NETWORK vertex per
 * network (its address usage in the attributes `addresses_size`, `addresses_allocated` and
 * `addresses_free`), a GATEWAY vertex per gateway, a HOST vertex per node carrying a network
 * (linked with its VLAN or VNI), a VM vertex per VM with a NIC on a network (the addresses its
 * NICs hold in the attribute `nic_addresses`, as `eth0=10.0.0.2,…`; linked with the NIC's name)
 * and a link from each VM to the host it runs on. Vertices and links shared by several networks
 * appear once.
 */
export function topologyGraph(topologies: readonly NetworkTopology[]): TopologyGraph {
  const nodes = new Map<string, network.TopologyNode>();
  const links = new Map<string, network.TopologyLink>();
  const vertex = (
    id: string,
    kind: network.TopologyNodeKind,
    name: string,
    attributes: Record<string, string> = {},
  ) => {
    if (!nodes.has(id)) nodes.set(id, create(network.TopologyNodeSchema, { id, kind, name, attributes }));
  };
  const link = (fromId: string, toId: string, label: string) => {
    const key = `${fromId}\u0000${toId}\u0000${label}`;
    if (!links.has(key)) links.set(key, create(network.TopologyLinkSchema, { fromId, toId, label }));
  };
  for (const { network: n, usage, nodes: hosts, vms } of topologies) {
    vertex(n.id, network.TopologyNodeKind.NETWORK, n.name, {
      ...networkAttributes(n),
      addresses_size: String(usage.size),
      addresses_allocated: String(usage.allocated),
      addresses_free: String(usage.free),
    });
    if (n.spec.gateway) {
      vertex(gatewayVertexId(n.id), network.TopologyNodeKind.GATEWAY, n.spec.gateway, {
        address: n.spec.gateway,
      });
      link(n.id, gatewayVertexId(n.id), "gateway");
    }
    for (const h of hosts) {
      vertex(h.id, network.TopologyNodeKind.HOST, h.name);
      link(n.id, h.id, carrierLabel(n));
    }
    for (const vm of vms) {
      vertex(vm.id, network.TopologyNodeKind.VM, vm.name, {
        ...(vm.nodeId ? { node_id: vm.nodeId } : {}),
        ip_addresses: vm.ipAddresses.join(","),
        nic_addresses: vm.nicAddresses.map((a) => `${a.name}=${a.ipAddress}`).join(","),
      });
      link(vm.id, n.id, vm.nic);
      if (vm.nodeId) {
        vertex(
          vm.nodeId,
          network.TopologyNodeKind.HOST,
          hosts.find((h) => h.id === vm.nodeId)?.name ?? vm.nodeId,
        );
        link(vm.id, vm.nodeId, "runs on");
      }
    }
  }
  return { nodes: [...nodes.values()], links: [...links.values()] };
}
