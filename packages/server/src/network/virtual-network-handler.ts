import { network } from "@limiquantix/api";
import { type RpcRoute, route } from "../rpc/route";
import { convertedOnce, fromRevisionOf, watchMessages } from "../events/convert/watch-event";
import type { WatchService } from "../events/watch-service";
import type { VirtualNetworkService } from "./virtual-network-service";
import { optionalString, optionalVersion, pageRequestOf, pageResponseOf } from "../rpc/convert/common";
import { topologyGraph } from "./convert/topology";
import {
  virtualNetworkSpecFromProto,
  virtualNetworkSpecToProto,
  virtualNetworkToProto,
} from "./convert/virtual-network";
import { labelSelectorOf, listFilterOf, requireMessage, requireString } from "../rpc/convert/request-fields";
import { labelsAndSpecChange } from "../rpc/convert/update-mask";
import { openStream } from "../shared/async-stream";

/** networkWire converts each object once, however many watchers or readers it goes to. */
const networkWire = convertedOnce(virtualNetworkToProto);

/**
 * virtualNetworkHandler answers VirtualNetworkService calls through the virtual network service:
 * the domain schema checks CIDR, gateway, DHCP range, reserved ranges and VLAN; the service refuses
 * overlapping CIDRs within a project, a change that takes away an address a NIC holds, and deleting
 * a network VMs still use. Networks are answered with their address usage and allocations.
 */
export function virtualNetworkHandler(networks: VirtualNetworkService, watch: WatchService): RpcRoute {
  return route(network.VirtualNetworkService, {
    async createVirtualNetwork(ctx, req) {
      const projectId = requireString(req.projectId, "project_id");
      const spec = virtualNetworkSpecFromProto(requireMessage(req.spec, "spec"));
      const created = await networks.createNetwork(ctx, {
        name: req.name,
        projectId,
        labels: req.labels,
        spec,
      });
      return { virtualNetwork: virtualNetworkToProto(created) };
    },

    async getVirtualNetwork(ctx, req) {
      return { virtualNetwork: networkWire(await networks.get(ctx, req.id)) };
    },

    async listVirtualNetworks(ctx, req) {
      const page = await networks.list(
        ctx,
        listFilterOf({ projectId: req.projectId }, req.labelSelector),
        pageRequestOf(req),
      );
      return { virtualNetworks: page.items.map(networkWire), ...pageResponseOf(page) };
    },

    async updateVirtualNetwork(ctx, req) {
      const change = labelsAndSpecChange(req, {
        schema: network.VirtualNetworkSpecSchema,
        toProto: virtualNetworkSpecToProto,
        fromProto: (spec) => virtualNetworkSpecFromProto(spec),
      });
      return {
        virtualNetwork: virtualNetworkToProto(
          await networks.updateNetwork(ctx, req.id, change, optionalVersion(req.resourceVersion)),
        ),
      };
    },

    async deleteVirtualNetwork(ctx, req) {
      await networks.deleteNetwork(ctx, req.id, optionalVersion(req.resourceVersion));
      return {};
    },

    async getNetworkTopology(ctx, req) {
      return topologyGraph(
        await networks.topologies(ctx, { projectId: req.projectId, networkId: req.networkId }),
      );
    },
    watchVirtualNetworks(ctx, req) {
      return openStream(async () => {
        const filter = {
          ...(optionalString(req.projectId) ? { projectId: req.projectId } : {}),
          ...labelSelectorOf(req.labelSelector),
        };
        return watchMessages(
          watch.networks(ctx, filter, fromRevisionOf(req.resourceVersion)),
          "virtualNetwork",
          networkWire,
          network.WatchVirtualNetworksResponseSchema,
        );
      });
    },
  });
}
