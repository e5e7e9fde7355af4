import {
  type AgentNicConfig,
  type AgentSecurityRule,
  type AgentVmDefinition,
  type Repositories,
  type SecurityGroup,
  type VirtualMachine,
  type VirtualNetwork,
  isCidr,
  orderedRules,
  parseCidr,
} from "@limiquantix/domain";

/**
 * agentDefinitionOf turns a VM, its volumes, networks and security groups into what an agent needs
 * to define it. Each NIC carries the address and MAC address it holds on its network (status.nics),
 * the network's prefix length, gateway and VLAN or overlay segment, and the rules of its security
 * groups in evaluation order. A NIC the control plane holds no address for (a VM stored before
 * addresses were allocated) goes without one.
 */
export async function agentDefinitionOf(
  repos: Pick<Repositories, "volumes" | "networks" | "securityGroups">,
  vm: VirtualMachine,
): Promise<AgentVmDefinition> {
  const disks = [];
  for (const d of vm.spec.disks) {
    const volume = await repos.volumes.find(d.volumeId);
    disks.push({
      name: d.name,
      volumeId: d.volumeId,
      sizeGib: volume?.spec.sizeGib ?? 1,
      bus: d.bus,
      readOnly: d.readOnly,
    });
  }
  const networks = new Map<string, VirtualNetwork | undefined>();
  const groups = new Map<string, SecurityGroup | undefined>();
  const nics: AgentNicConfig[] = [];
  for (const n of vm.spec.nics) {
    if (!networks.has(n.networkId)) networks.set(n.networkId, await repos.networks.find(n.networkId));
    for (const id of n.securityGroupIds)
      if (!groups.has(id)) groups.set(id, await repos.securityGroups.find(id));
    const network = networks.get(n.networkId);
    const held = vm.status.nics.find((s) => s.name === n.name && s.networkId === n.networkId);
    const macAddress = held?.macAddress ?? n.macAddress;
    const cidr = network ? parseCidr(network.spec.cidr) : undefined;
    const rules: AgentSecurityRule[] = n.securityGroupIds.flatMap((id) =>
      (groups.get(id)?.spec.rules ?? []).map(({ description: _d, ...rule }) => ({ ...rule, groupId: id })),
    );
    nics.push({
      name: n.name,
      networkId: n.networkId,
      ...(macAddress ? { macAddress } : {}),
      ...(held && cidr && isCidr(cidr) ? { ipAddress: held.ipAddress, prefixLength: cidr.prefix } : {}),
      ...(network?.spec.gateway ? { gateway: network.spec.gateway } : {}),
      ...(network?.spec.vlanId !== undefined ? { vlanId: network.spec.vlanId } : {}),
      ...(network?.spec.vni !== undefined ? { vni: network.spec.vni } : {}),
      securityGroupIds: [...n.securityGroupIds],
      securityRules: orderedRules(rules),
    });
  }
  return {
    vmId: vm.id,
    name: vm.name,
    vcpus: vm.spec.cpu.vcpus,
    memoryMib: vm.spec.memory.sizeMib,
    disks,
    nics,
    ...(vm.spec.bootImageId ? { bootImageId: vm.spec.bootImageId } : {}),
  };
}
