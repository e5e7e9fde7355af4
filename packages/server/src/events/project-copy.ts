import type { ChangeLogEntry, Project, Repositories } from "@limiquantix/domain";
import { allItems } from "../shared/each-item";
import { LazyKindCopy } from "./lazy-kind-copy";

/**
 * ProjectCopy is this replica's copy of the projects, read from the store the first time it is
 * needed and kept by the change log from then on (a LazyKindCopy), so a list that names a project
 * by id or name resolves it without a read.
 */
export class ProjectCopy {
  private readonly lazy: LazyKindCopy<Project>;

  constructor(repos: Pick<Repositories, "projects">) {
    this.lazy = new LazyKindCopy(() => allItems(repos.projects, {}));
  }

  /** projects answers withProjectId's look-ups from the copy; use it once `ready` has resolved. */
  readonly projects = {
    find: async (id: string): Promise<Project | undefined> => this.lazy.held?.get(id),
    findByName: async (name: string): Promise<Project | undefined> => {
      for (const p of this.lazy.held?.after(undefined) ?? []) if (p.name === name) return p;
      return undefined;
    },
  };

  /** ready resolves once the copy holds the projects (loading them on first use) and returns it. */
  async ready(): Promise<this> {
    await this.lazy.ready();
    return this;
  }

  /** change applies one relayed change of a project (kept for later while the copy loads). */
  change(entry: ChangeLogEntry): void {
    this.lazy.change(entry);
  }

  /** reset forgets the copy (the relay skipped changes): the next use reads the projects again. */
  reset(): void {
    this.lazy.reset();
  }
}
