import {
  ErrorCode,
  type Project,
  type ProjectInput,
  conflict,
  failedPrecondition,
  hasErrorCode,
} from "@limiquantix/domain";
import type { CallContext } from "../context/call-context";
import { CrudService } from "../shared/crud-service";
import type { ServiceDeps } from "../shared/service-deps";
import { hasLimits, NO_USAGE, sameLimits } from "./quota/project-usage";
import { countUsage } from "./quota/usage-ledger";

/** MAX_ATTEMPTS bounds how often an update without a caller's version retries after losing a race. */
const MAX_ATTEMPTS = 5;

/**
 * ProjectService manages projects; a project that still owns resources cannot be deleted. While a
 * project's quota sets a limit, the project keeps its counted use (status.usage): zero when it is
 * created, counted again whenever its quota changes, and dropped when no limit is left.
 */
export class ProjectService extends CrudService<Project, ProjectInput> {
  constructor(deps: ServiceDeps) {
    super(deps, "Project", deps.repos.projects);
  }

  /** create stores a new project; one created with a limit starts with its use counted (nothing yet). */
  override async create(ctx: CallContext, input: Omit<ProjectInput, "id">): Promise<Project> {
    const { status: _given, ...rest } = input;
    return super.create(ctx, hasLimits(input.quota ?? {}) ? { ...rest, status: { usage: NO_USAGE } } : rest);
  }

  /**
   * update applies change to the project in one unit of work; when the change sets or alters a
   * limit the use is counted again in that work, under the project's lock (so a create running
   * meanwhile is counted once), and when it leaves no limit the counted use is dropped.
   */
  override async update(
    _ctx: CallContext,
    id: string,
    change: (current: Project) => Project | Promise<Project>,
    expectedVersion?: number,
  ): Promise<Project> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.deps.uow.run(async (tx) => {
          const current = await tx.projects.get(id);
          if (expectedVersion !== undefined && current.resourceVersion !== expectedVersion)
            throw conflict("Project", id, expectedVersion, current.resourceVersion);
          const { status: _kept, ...next } = await change(current);
          if (!hasLimits(next.quota)) return tx.projects.update(next);
          const counted =
            current.status && sameLimits(current.quota, next.quota)
              ? current.status.usage
              : await countUsage(tx, id);
          return tx.projects.update({ ...next, status: { usage: counted } });
        });
      } catch (e) {
        if (expectedVersion === undefined && hasErrorCode(e, ErrorCode.Conflict) && attempt < MAX_ATTEMPTS)
          continue;
        throw e;
      }
    }
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
