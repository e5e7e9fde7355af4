import type { Project, ProjectUsage, Repositories } from "@limiquantix/domain";
import { applyDelta, hasLimits, isEmpty, quotaRefusal, type UsageDelta } from "./project-usage";

/** countUsage adds up what a project's VMs and volumes take, as the unit of work sees them. */
export async function countUsage(
  tx: Pick<Repositories, "vms" | "volumes">,
  projectId: string,
): Promise<ProjectUsage> {
  const vms = await tx.vms.totalsByProject(projectId);
  const volumes = await tx.volumes.totalsByProject(projectId);
  return { ...vms, ...volumes };
}

/**
 * UsageLedger is a project's counted use inside one unit of work: the work opens it before it
 * reads or writes anything it counts, and charges it what the work takes or gives back.
 *
 * Why this is atomic: opening reads the project row, which the PostgreSQL unit of work locks
 * until the work ends, so works that change one project's use run one after the other, across
 * replicas (and always lock the project first, so they cannot deadlock on it); a charge checks
 * the limit on that locked row and writes the new use with the row's resourceVersion in the same
 * transaction as the VM or volume. PGlite (one session) and memory run works one at a time.
 *
 * A project without a limit is only read, never written. A project with a limit but no counted
 * use (stored before use was counted) is counted when the ledger opens: before the work's own
 * writes, and under the lock, so no concurrent create is missed.
 */
export class UsageLedger {
  private constructor(
    private readonly tx: Repositories,
    private project: Project,
    private used: ProjectUsage | undefined,
  ) {}

  /** open reads (and on PostgreSQL locks) the project and its use; call it first in the work. */
  static async open(tx: Repositories, projectId: string): Promise<UsageLedger> {
    const project = await tx.projects.get(projectId);
    if (!hasLimits(project.quota)) return new UsageLedger(tx, project, undefined);
    return new UsageLedger(tx, project, project.status?.usage ?? (await countUsage(tx, projectId)));
  }

  /** charge adds a delta to the use, or throws ResourceExhausted (writing nothing) when growth passes a limit. */
  async charge(delta: UsageDelta): Promise<void> {
    const used = this.used;
    if (used === undefined) return;
    const refusal = quotaRefusal(this.project, used, delta);
    if (refusal) throw refusal;
    // A project counted on this open is written even by an empty delta, so the count is kept.
    if (isEmpty(delta) && this.project.status?.usage) return;
    const usage = applyDelta(used, delta);
    this.project = await this.tx.projects.update({ ...this.project, status: { usage } });
    this.used = usage;
  }
}
