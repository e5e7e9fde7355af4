import { type Project, type ProjectInput, failedPrecondition } from "@limiquantix/domain";
import type { CallContext } from "../context/call-context";
import { CrudService } from "../shared/crud-service";
import type { ServiceDeps } from "../shared/service-deps";

/** ProjectService manages projects; a project that still owns resources cannot be deleted. */
export class ProjectService extends CrudService<Project, ProjectInput> {
  constructor(deps: ServiceDeps) {
    super(deps, "Project", deps.repos.projects);
  }

  /** deleteProject refuses a project that still owns VMs, volumes, networks or security groups. */
  async deleteProject(ctx: CallContext, id: string, expectedVersion?: number): Promise<void> {
    const r = this.deps.repos;
    const counts = {
      VMs: await r.vms.count({ projectId: id }),
      volumes: await r.volumes.count({ projectId: id }),
      networks: await r.networks.count({ projectId: id }),
      "security groups": await r.securityGroups.count({ projectId: id }),
    };
    const left = Object.entries(counts).filter(([, n]) => n > 0);
    if (left.length > 0)
      throw failedPrecondition(
        `project still owns ${left.map(([k, n]) => `${n} ${k}`).join(", ")}; delete them first`,
        counts,
      );
    await this.delete(ctx, id, expectedVersion);
  }
}
