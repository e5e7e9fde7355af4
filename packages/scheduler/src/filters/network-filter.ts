import { notFound } from "@limiquantix/domain";
import { defineFilter, SKIP } from "../framework/plugin";
import { keepMarked } from "../snapshot/column-selectors";

/** NETWORK is the name of the filter that keeps a VM on nodes that carry every network of its NICs. */
export const NETWORK = "network";

interface NetworkReach {
  readonly nodes: ReadonlySet<string>;
  readonly reason: string;
}

/**
 * networkFilter rejects a node that does not carry a network one of the VM's NICs attaches to (a
 * network with no node list is carried by every node). A network missing from the snapshot is NotFound.
 */
export const networkFilter = defineFilter<readonly NetworkReach[]>({
  name: NETWORK,
  rejects: { kind: "network", bindsRunning: true },
  prepare(ctx) {
    if (ctx.vm.spec.nics.length === 0) return SKIP;
    const restricted = new Map<string, NetworkReach>();
    for (const nic of ctx.vm.spec.nics) {
      const nodes = ctx.snapshot.networkNodes(nic.networkId);
      if (nodes === undefined) throw notFound("VirtualNetwork", nic.networkId);
      if (nodes !== null && !restricted.has(nic.networkId))
        restricted.set(nic.networkId, {
          nodes,
          reason: `does not carry network "${ctx.snapshot.nameOf("network", nic.networkId)}"`,
        });
    }
    return restricted.size === 0 ? SKIP : [...restricted.values()];
  },
  filter(node, _ctx, networks) {
    for (const net of networks) if (!net.nodes.has(node.id)) return net.reason;
    return undefined;
  },
  filterColumns(columns, rows, count, _ctx, networks) {
    let kept = count;
    for (const net of networks) kept = keepMarked(columns.members(net.nodes), rows, kept);
    return kept;
  },
});
