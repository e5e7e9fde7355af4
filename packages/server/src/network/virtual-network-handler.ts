import type { ServiceImpl } from "@connectrpc/connect";
import { network } from "@limiquantix/api";
import { invalidArgument } from "@limiquantix/domain";
import type { Services } from "../composition/services";
import { eachItem } from "../shared/each-item";
import type { NetworkTopology } from "./virtual-network-service";
import { optionalVersion, pageRequestOf, pageResponseOf } from "../rpc/convert/common";
import { topologyGraph } from "./convert/topology";
import {
  virtualNetworkSpecFromProto,
  virtualNetworkSpecToProto,
  virtualNetworkToProto,
} from "./convert/virtual-network";
import { listFilterOf, requireMessage, requireString } from "../rpc/convert/request-fields";
import { labelsAndSpecChange } from "../rpc/convert/update-mask";

/**
 * virtualNetworkServiceImpl answers VirtualNetworkService calls through the network service: the
 * domain schema checks CIDR, gateway, DHCP range and VLAN; the service refuses overlapping CIDRs
 * within a project and deleting a network VMs still use.
 */
export function virtualNetworkServiceImpl(
  services: Services,
): ServiceImpl<typeof network.VirtualNetworkService> {
  const { networks } = services;

  async function topologiesOf(projectId: string, networkId: string): Promise<NetworkTopology[]> {
    if (networkId) {
      const topo = await networks.topology(networkId);
      if (projectId && topo.network.projectId !== projectId)
        throw invalidArgument([
          { field: "network_id", description: `names a network of another project (got ${networkId})` },
        ]);
      return [topo];
    }
    const out: NetworkTopology[] = [];
    for await (const n of eachItem(networks, projectId ? { projectId } : {})) out.push(await networks.topology(n.id));
    return out;
  }

  return {
    async createVirtualNetwork(req) {
      const projectId = requireString(req.projectId, "project_id");
      const spec = virtualNetworkSpecFromProto(requireMessage(req.spec, "spec"));
      const created = await networks.createNetwork({ name: req.name, projectId, labels: req.labels, spec });
      return { virtualNetwork: virtualNetworkToProto(created) };
    },

    async getVirtualNetwork(req) {
      return { virtualNetwork: virtualNetworkToProto(await networks.get(req.id)) };
    },

    async listVirtualNetworks(req) {
      const page = await networks.list(
        listFilterOf({ projectId: req.projectId }, req.labelSelector),
        pageRequestOf(req),
      );
      return { virtualNetworks: page.items.map(virtualNetworkToProto), ...pageResponseOf(page) };
    },

    async updateVirtualNetwork(req) {
      const change = labelsAndSpecChange(req, {
        schema: network.VirtualNetworkSpecSchema,
        toProto: virtualNetworkSpecToProto,
        fromProto: (spec) => virtualNetworkSpecFromProto(spec),
      });
      return {
        virtualNetwork: virtualNetworkToProto(
          await networks.updateNetwork(req.id, change, optionalVersion(req.resourceVersion)),
        ),
      };
    },

    async deleteVirtualNetwork(req) {
      await networks.deleteNetwork(req.id, optionalVersion(req.resourceVersion));
      return {};
    },

    async getNetworkTopology(req) {
      return topologyGraph(await topologiesOf(req.projectId, req.networkId));
    },
  };
}
