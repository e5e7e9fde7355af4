import type {
  Cluster,
  ClusterInput,
  Image,
  ImageInput,
  Project,
  ProjectInput,
  StoragePool,
  StoragePoolInput,
} from "@limiquantix/domain";
import { failedPrecondition } from "@limiquantix/domain";
import { CrudService } from "./crud-service";
import type { ServiceDeps } from "./service-deps";

/** ProjectService manages projects; a project that still owns resources cannot be deleted. */
export class ProjectService extends CrudService<Project, ProjectInput> {
  constructor(deps: ServiceDeps) {
    super(deps, "Project", deps.repos.projects);
  }

  /** deleteProject refuses a project that still owns VMs, volumes, networks or security groups. */
  async deleteProject(id: string, expectedVersion?: number): Promise<void> {
    const r = this.deps.repos;
    const counts = {
      VMs: await r.vms.count({ projectId: id }),
      volumes: await r.volumes.count({ projectId: id }),
      networks: await r.networks.count({ projectId: id }),
      "security groups": await r.securityGroups.count({ projectId: id }),
    };
    const left = Object.entries(counts).filter(([, n]) => n > 0);
    if (left.length > 0)
      throw failedPrecondition(`project still owns ${left.map(([k, n]) => `${n} ${k}`).join(", ")}; delete them first`, counts);
    await this.delete(id, expectedVersion);
  }
}

/** ClusterService manages clusters; a cluster with nodes cannot be deleted. */
export class ClusterService extends CrudService<Cluster, ClusterInput> {
  constructor(deps: ServiceDeps) {
    super(deps, "Cluster", deps.repos.clusters);
  }

  /** deleteCluster refuses a cluster that still has nodes. */
  async deleteCluster(id: string, expectedVersion?: number): Promise<void> {
    const nodes = await this.deps.repos.nodes.count({ clusterId: id });
    if (nodes > 0) throw failedPrecondition(`cluster still has ${nodes} node(s); move or decommission them first`);
    await this.delete(id, expectedVersion);
  }
}

/** StoragePoolService manages storage pools; a pool with volumes cannot be deleted or shrunk below what they use. */
export class StoragePoolService extends CrudService<StoragePool, StoragePoolInput> {
  constructor(deps: ServiceDeps) {
    super(deps, "StoragePool", deps.repos.storagePools);
  }

  /** resizePool changes a pool's capacity, refusing to go below what its volumes already take. */
  resizePool(id: string, capacityGib: number, expectedVersion?: number): Promise<StoragePool> {
    return this.update(
      id,
      async (p) => {
        const used = await this.deps.repos.volumes.sumSizeByPool(id);
        if (capacityGib * p.spec.overprovisionRatio < used)
          throw failedPrecondition(`storage pool "${p.name}" holds ${used} GiB of volumes; capacity cannot go below that`);
        return { ...p, spec: { ...p.spec, capacityGib } };
      },
      expectedVersion,
    );
  }

  /** deletePool refuses a pool that still holds volumes. */
  async deletePool(id: string, expectedVersion?: number): Promise<void> {
    const volumes = await this.deps.repos.volumes.count({ poolId: id });
    if (volumes > 0) throw failedPrecondition(`storage pool still holds ${volumes} volume(s); delete them first`);
    await this.delete(id, expectedVersion);
  }
}

/** ImageService manages boot images. Images are registered by reference and marked READY at once. */
export class ImageService extends CrudService<Image, ImageInput> {
  constructor(deps: ServiceDeps) {
    super(deps, "Image", deps.repos.images);
  }

  /** register stores an image; with no download step in the built-in backends it is READY immediately. */
  register(input: Omit<ImageInput, "id" | "status">): Promise<Image> {
    return this.create({ ...input, status: { phase: "READY", progressPercent: 100 } });
  }
}
