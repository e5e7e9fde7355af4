import {
  type AddressUsage,
  type VirtualNetwork,
  type VirtualNetworkInput,
  addressPlanOf,
  addressUsageOf,
  cidrsOverlap,
  failedPrecondition,
  invalidArgument,
  isCidr,
  parseCidr,
  parseIPv4,
  unusableReason,
} from "@limiquantix/domain";
import type { CallContext } from "../context/call-context";
import { resolveProjectId } from "../shared/project-ref";
import { CrudService } from "../shared/crud-service";
import { eachItem } from "../shared/each-item";
import type { ServiceDeps } from "../shared/service-deps";

/** NetworkTopology shows a network with its address usage, the nodes that carry it and the VMs plugged into it. */
export interface NetworkTopology {
  readonly network: VirtualNetwork;
  readonly usage: AddressUsage;
  readonly nodes: readonly { readonly id: string; readonly name: string }[];
  readonly vms: readonly {
    readonly id: string;
    readonly name: string;
    readonly nodeId?: string;
    readonly nic: string;
    readonly securityGroupIds: readonly string[];
    /** The addresses the VM's agent reports. */
    readonly ipAddresses: readonly string[];
    /** The address and MAC address the NIC holds on this network. */
    readonly ipAddress?: string;
    readonly macAddress?: string;
    /** The addresses every NIC of the VM holds, on this network and others. */
    readonly nicAddresses: readonly { readonly name: string; readonly ipAddress: string }[];
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
   * fixed once it exists, a new CIDR may not overlap another network of the project, and the new
   * spec may not take away an address a NIC holds (by moving the CIDR, the gateway or a reserved
   * range onto it). Address allocations are kept as they are.
   */
  updateNetwork(
    ctx: CallContext,
    id: string,
    change: (current: VirtualNetwork) => VirtualNetwork,
    expectedVersion?: number,
  ): Promise<VirtualNetwork> {
    return this.update(
      ctx,
      id,
      async (current) => {
        const next = change(current);
        if (next.spec.type !== current.spec.type)
          throw invalidArgument([
            {
              field: "spec.type",
              description: `cannot change once the network exists (is ${current.spec.type}, got ${next.spec.type})`,
            },
          ]);
        if (next.spec.cidr !== current.spec.cidr)
          await this.checkOverlap(current.projectId, next.spec.cidr, id);
        checkAllocationsStillFit(next);
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
      throw failedPrecondition(
        `network "${topo.network.name}" is used by ${topo.vms.length} VM NIC(s); remove them first`,
        {
          vms: topo.vms.map((v) => v.name),
        },
      );
    await this.delete(ctx, id, expectedVersion);
  }

  /** topology lists a network's address usage, the nodes carrying it and the VM NICs on it with their addresses. */
  async topology(_ctx: CallContext, id: string): Promise<NetworkTopology> {
    const network = await this.deps.repos.networks.get(id);
    const nodes: { id: string; name: string }[] = [];
    const vms: NetworkTopology["vms"][number][] = [];
    for await (const n of eachItem(this.deps.repos.nodes, {}))
      if (network.spec.nodeIds.length === 0 || network.spec.nodeIds.includes(n.id))
        nodes.push({ id: n.id, name: n.name });
    for await (const vm of eachItem(this.deps.repos.vms, { projectId: network.projectId }))
      for (const nic of vm.spec.nics)
        if (nic.networkId === id) {
          const held = vm.status.nics.find((n) => n.name === nic.name);
          vms.push({
            id: vm.id,
            name: vm.name,
            ...(vm.status.nodeId ? { nodeId: vm.status.nodeId } : {}),
            nic: nic.name,
            securityGroupIds: nic.securityGroupIds,
            ipAddresses: vm.status.ipAddresses,
            ...(held ? { ipAddress: held.ipAddress, macAddress: held.macAddress } : {}),
            nicAddresses: vm.status.nics.map((h) => ({ name: h.name, ipAddress: h.ipAddress })),
          });
        }
    return { network, usage: addressUsageOf(network), nodes, vms };
  }

  /**
   * topologies lists the topology of one network (which must belong to the project, when one is
   * given) or of every network of a project (of every project, when none is given).
   */
  async topologies(
    ctx: CallContext,
    scope: { projectId?: string; networkId?: string },
  ): Promise<NetworkTopology[]> {
    if (scope.networkId) {
      const topo = await this.topology(ctx, scope.networkId);
      if (scope.projectId && topo.network.projectId !== scope.projectId)
        throw invalidArgument([
          { field: "network_id", description: `names a network of another project (got ${scope.networkId})` },
        ]);
      return [topo];
    }
    const out: NetworkTopology[] = [];
    for await (const n of eachItem(
      this.deps.repos.networks,
      scope.projectId ? { projectId: scope.projectId } : {},
    ))
      out.push(await this.topology(ctx, n.id));
    return out;
  }
}

/** MAX_NAMED is how many addresses a refusal names before it only counts the rest. */
const MAX_NAMED = 5;

/** checkAllocationsStillFit refuses a network spec under which an address a NIC holds could no longer be given to it. */
function checkAllocationsStillFit(next: VirtualNetwork): void {
  const plan = addressPlanOf(next.spec);
  const lost: string[] = [];
  for (const [address, a] of Object.entries(next.status.allocations)) {
    const n = parseIPv4(address);
    const reason = n === undefined ? "is not an IPv4 address" : unusableReason(plan, n);
    if (reason !== undefined) lost.push(`${address} (NIC ${a.nic} of VM ${a.vmId}) ${reason}`);
  }
  if (lost.length === 0) return;
  const more = lost.length > MAX_NAMED ? `; and ${lost.length - MAX_NAMED} more` : "";
  throw failedPrecondition(
    `network "${next.name}" cannot change so: addresses its NICs hold would no longer be usable: ${lost.slice(0, MAX_NAMED).join("; ")}${more}; delete those VMs first or keep their addresses usable`,
    { resource: { kind: "VirtualNetwork", id: next.id, name: next.name }, addresses: lost.length },
  );
}
