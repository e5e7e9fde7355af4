import type { AgentVmDefinition, Repositories, VirtualMachine } from "@limiquantix/domain";

/** agentDefinitionOf turns a VM and its volumes into what an agent needs to define it. */
export async function agentDefinitionOf(repos: Pick<Repositories, "volumes">, vm: VirtualMachine): Promise<AgentVmDefinition> {
  const disks = [];
  for (const d of vm.spec.disks) {
    const volume = await repos.volumes.find(d.volumeId);
    disks.push({ name: d.name, volumeId: d.volumeId, sizeGib: volume?.spec.sizeGib ?? 1, bus: d.bus, readOnly: d.readOnly });
  }
  return {
    vmId: vm.id,
    name: vm.name,
    vcpus: vm.spec.cpu.vcpus,
    memoryMib: vm.spec.memory.sizeMib,
    disks,
    nics: vm.spec.nics.map((n) => ({ name: n.name, networkId: n.networkId, ...(n.macAddress ? { macAddress: n.macAddress } : {}) })),
    ...(vm.spec.bootImageId ? { bootImageId: vm.spec.bootImageId } : {}),
  };
}
