import {
  type FieldViolation,
  invalidArgument,
  type Repositories,
  type VirtualMachine,
  failedPrecondition,
} from "@limiquantix/domain";

/**
 * checkVmReferences verifies that everything a VM spec names exists in the VM's project and is
 * usable: its volumes (available, or already attached to this VM), networks, security groups and
 * boot image. Missing references are InvalidArgument naming the field; unusable ones FailedPrecondition.
 */
export async function checkVmReferences(repos: Repositories, vm: VirtualMachine): Promise<void> {
  const missing: FieldViolation[] = [];
  const busy: string[] = [];
  for (const [i, disk] of vm.spec.disks.entries()) {
    const volume = await repos.volumes.find(disk.volumeId);
    if (!volume || volume.projectId !== vm.projectId)
      missing.push({
        field: `spec.disks[${i}].volumeId`,
        description: `names no volume of the project (got ${disk.volumeId})`,
      });
    else if (volume.status.attachment && volume.status.attachment.vmId !== vm.id)
      busy.push(`volume "${volume.name}" is attached to another VM`);
    else if (!volume.status.attachment && volume.status.phase !== "AVAILABLE")
      busy.push(`volume "${volume.name}" is ${volume.status.phase}, not AVAILABLE`);
  }
  for (const [i, nic] of vm.spec.nics.entries()) {
    const net = await repos.networks.find(nic.networkId);
    if (!net || net.projectId !== vm.projectId)
      missing.push({
        field: `spec.nics[${i}].networkId`,
        description: `names no network of the project (got ${nic.networkId})`,
      });
    for (const [j, sgId] of nic.securityGroupIds.entries()) {
      const sg = await repos.securityGroups.find(sgId);
      if (!sg || sg.projectId !== vm.projectId)
        missing.push({
          field: `spec.nics[${i}].securityGroupIds[${j}]`,
          description: `names no security group of the project (got ${sgId})`,
        });
    }
  }
  if (vm.spec.bootImageId) {
    const image = await repos.images.find(vm.spec.bootImageId);
    if (!image || (image.projectId !== undefined && image.projectId !== vm.projectId))
      missing.push({
        field: "spec.bootImageId",
        description: `names no image the project can use (got ${vm.spec.bootImageId})`,
      });
  }
  if (missing.length > 0) throw invalidArgument(missing, "VirtualMachine");
  if (busy.length > 0) throw failedPrecondition(`cannot use the VM's volumes: ${busy.join("; ")}`);
}
