import type { LabelSelector, Page, PageRequest, VmSnapshot } from "@limiquantix/domain";
import type { ServiceDeps } from "../shared/service-deps";

/** VmSnapshotCatalog reads the snapshots of a VM; taking and reverting them is VmOperationsService's. */
export class VmSnapshotCatalog {
  constructor(private readonly deps: ServiceDeps) {}

  /** list returns one page of a VM's snapshots, oldest first; a VM that does not exist is NotFound, not an empty page. */
  async list(vmId: string, options: { labelSelector?: string | LabelSelector } = {}, page?: PageRequest): Promise<Page<VmSnapshot>> {
    await this.deps.repos.vms.get(vmId);
    return this.deps.repos.vmSnapshots.list(
      { vmId, ...(options.labelSelector !== undefined ? { labelSelector: options.labelSelector } : {}) },
      page,
    );
  }
}
