import {
  type VirtualNetwork,
  type VirtualNetworkInput,
  cidrsOverlap,
  failedPrecondition,
  invalidArgument,
  isCidr,
  parseCidr,
} from "@limiquantix/domain";
import type { CallContext } from "../context/call-context";
import { resolveProjectId } from "../shared/project-ref";
import { CrudService } from "../shared/crud-service";
import { eachItem } from "../shared/each-item";
import type { ServiceDeps } from "../shared/service-deps";

/** NetworkTopology shows a network with the nodes that carry it and the VMs plugged into it. */
export interface NetworkTopology {
  readonly network: VirtualNetwork;
  readonly nodes: readonly { readonly id: string; readonly name: string }[];
  readonly vms: readonly {
    readonly id: string;
    readonly name: string;
    readonly nodeId?: string;
    readonly nic: string;
    readonly securityGroupIds: readonly string[];
    readonly ipAddresses: readonly string[];
  }[];
}

/** VirtualNetworkService manages virtual networks; CIDRs may not overlap within a project. */
export class VirtualNetworkService extends CrudService<VirtualNetwork, VirtualNetworkInput> {
  constructor(deps: ServiceDeps) {
    super(deps, "VirtualNetwork", deps.repos.networks);
  }

  /** createNetwork validates the network and refuses a CIDR that overlaps another network of the project. */
  async createNetwork(ctx: CallContext, given: Omit<VirtualNetworkInput, "id">): Promise<VirtualNetwork> {
    const input = { ...given, projectId: await resolveProjectId(this.deps.repos, given.projectId) };
    await this.checkOverlap(input.projectId, input.spec.cidr, undefined);
    return this.create(ctx, input);
  }

  /**
   * updateNetwork applies an edit to a network (checking expectedVersion when given): its type is
   * fixed once it exists, and a new CIDR may not overlap another network of the project.
   */
  updateNetwork(ctx: CallContext, id: string, change: (current: VirtualNetwork) => VirtualNetwork, expectedVersion?: number): Promise<VirtualNetwork> {
    return this.update(
      ctx,
      id,
      async (current) => {
        const next = change(current);
        if (next.spec.type !== current.spec.type)
          throw invalidArgument([
            { field: "spec.type", description: `cannot change once the network exists (is ${current.spec.type}, got ${next.spec.type})` },
          ]);
        if (next.spec.cidr !== current.spec.cidr) await this.checkOverlap(current.projectId, next.spec.cidr, id);
        return next;
      },
      expectedVersion,
    );
  }

  private async checkOverlap(projectId: string, cidrText: string, selfId: string | undefined): Promise<void> {
    const mine = parseCidr(cidrText);
    if (!isCidr(mine)) return; // schema validation reports it
    for await (const other of eachItem(this.deps.repos.networks, { projectId })) {
      if (other.id === selfId) continue;
      const theirs = parseCidr(other.spec.cidr);
      if (isCidr(theirs) && cidrsOverlap(mine, theirs))
        throw failedPrecondition(
          `spec.cidr ${cidrText} overlaps network "${other.name}" (${other.spec.cidr}) in the same project; choose a disjoint range`,
          { resource: { kind: "VirtualNetwork", id: other.id, name: other.name } },
        );
    }
  }

  /** deleteNetwork refuses a network that VMs are still plugged into. */
  async deleteNetwork(ctx: CallContext, id: string, expectedVersion?: number): Promise<void> {
    const topo = await this.topology(ctx, id);
    if (topo.vms.length > 0)
      throw failedPrecondition(`network "${topo.network.name}" is used by ${topo.vms.length} VM NIC(s); remove them first`, {
        vms: topo.vms.map((v) => v.name),
      });
    await this.delete(ctx, id, expectedVersion);
  }

  /** topology lists the nodes carrying a network and the VM NICs on it. */
  async topology(_ctx: CallContext, id: string): Promise<NetworkTopology> {
    const network = await this.deps.repos.networks.get(id);
    const nodes: { id: string; name: string }[] = [];
    const vms: NetworkTopology["vms"][number][] = [];
    for await (const n of eachItem(this.deps.repos.nodes, {}))
      if (network.spec.nodeIds.length === 0 || network.spec.nodeIds.includes(n.id)) nodes.push({ id: n.id, name: n.name });
    for await (const vm of eachItem(this.deps.repos.vms, { projectId: network.projectId }))
      for (const nic of vm.spec.nics)
        if (nic.networkId === id)
          vms.push({
            id: vm.id,
            name: vm.name,
            ...(vm.status.nodeId ? { nodeId: vm.status.nodeId } : {}),
            nic: nic.name,
            securityGroupIds: nic.securityGroupIds,
            ipAddresses: vm.status.ipAddresses,
          });
    return { network, nodes, vms };
  }

  /**
   * topologies lists the topology of one network (which must belong to the project, when one is
   * given) or of every network of a project (of every project, when none is given).
   */
  async topologies(ctx: CallContext, scope: { projectId?: string; networkId?: string }): Promise<NetworkTopology[]> {
    if (scope.networkId) {
      const topo = await this.topology(ctx, scope.networkId);
      if (scope.projectId && topo.network.projectId !== scope.projectId)
        throw invalidArgument([{ field: "network_id", description: `names a network of another project (got ${scope.networkId})` }]);
      return [topo];
    }
    const out: NetworkTopology[] = [];
    for await (const n of eachItem(this.deps.repos.networks, scope.projectId ? { projectId: scope.projectId } : {}))
      out.push(await this.topology(ctx, n.id));
    return out;
  }
}
