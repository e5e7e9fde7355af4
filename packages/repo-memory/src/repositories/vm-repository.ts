import {
  type PowerState,
  RESOURCES,
  type VirtualMachine,
  type VirtualMachineInput,
  type VmRepository,
  type VmStatus,
  type VmTotals,
} from "@limiquantix/domain";
import type { StoreAccess } from "../store";
import { ResourceRepository } from "./resource-repository";

/** MemoryVmRepository stores VMs in memory, with the per-node views placement and HA need. */
export class MemoryVmRepository
  extends ResourceRepository<VirtualMachine, VirtualMachineInput, PowerState>
  implements VmRepository
{
  constructor(access: StoreAccess) {
    super(RESOURCES.VirtualMachine, access);
  }

  async listByNode(nodeId: string): Promise<readonly VirtualMachine[]> {
    return this.scan((vm) => vm.status.nodeId === nodeId);
  }

  async countByNode(nodeIds: readonly string[]): Promise<ReadonlyMap<string, number>> {
    const counts = new Map<string, number>(nodeIds.map((id) => [id, 0]));
    if (counts.size === 0) return counts;
    this.forEachRow((vm) => {
      const node = vm.status.nodeId;
      if (node !== undefined && counts.has(node)) counts.set(node, counts.get(node)! + 1);
    });
    return counts;
  }

  async totalsByProject(projectId: string): Promise<VmTotals> {
    let vms = 0;
    let vcpus = 0;
    let memoryMib = 0;
    this.forEachRow((vm) => {
      if (vm.projectId !== projectId) return;
      vms++;
      vcpus += vm.spec.cpu.vcpus;
      memoryMib += vm.spec.memory.sizeMib;
    });
    return { vms, vcpus, memoryMib };
  }

  updateStatus(id: string, status: VmStatus, expectedVersion?: number): Promise<VirtualMachine> {
    return this.mutate(id, expectedVersion, (current) => ({ ...current, status }));
  }
}
