import type { ChangeLogEntry, Project, Repositories } from "@limiquantix/domain";
import { allItems } from "../shared/each-item";
import { KindCopy } from "./kind-copy";

/** Loading is a read of the projects under way, with the changes relayed meanwhile. */
interface Loading {
  readonly changes: ChangeLogEntry[];
  done: Promise<void>;
}

/**
 * ProjectCopy is this replica's copy of the projects, read from the store the first time it is
 * needed and kept by the change log from then on, so a list that names a project by id or name
 * resolves it without a read. While it loads, the changes relayed meanwhile are kept and applied
 * over what was read (a change already read is ignored by its version), so nothing is missed.
 */
export class ProjectCopy {
  private copy: KindCopy<Project> | undefined;
  private loading: Loading | undefined;

  constructor(private readonly repos: Pick<Repositories, "projects">) {}

  /** projects answers withProjectId's look-ups from the copy; use it once `ready` has resolved. */
  readonly projects = {
    find: async (id: string): Promise<Project | undefined> => this.copy?.get(id),
    findByName: async (name: string): Promise<Project | undefined> => {
      for (const p of this.copy?.after(undefined) ?? []) if (p.name === name) return p;
      return undefined;
    },
  };

  /** ready resolves once the copy holds the projects (loading them on first use) and returns it. */
  async ready(): Promise<this> {
    if (this.copy) return this;
    await (this.loading ?? this.load()).done;
    if (!this.copy) throw new Error("the projects' copy was reset while it loaded");
    return this;
  }

  private load(): Loading {
    const loading: Loading = { changes: [], done: Promise.resolve() };
    this.loading = loading;
    loading.done = (async () => {
      try {
        const rows = await allItems(this.repos.projects, {});
        if (this.loading !== loading) return;
        const copy = new KindCopy<Project>();
        copy.load(rows);
        for (const entry of loading.changes) copy.apply(entry);
        this.copy = copy;
      } finally {
        if (this.loading === loading) this.loading = undefined;
      }
    })();
    return loading;
  }

  /** change applies one relayed change of a project (kept for later while the copy loads). */
  change(entry: ChangeLogEntry): void {
    if (this.copy) this.copy.apply(entry);
    else this.loading?.changes.push(entry);
  }

  /** reset forgets the copy (the relay skipped changes): the next use reads the projects again. */
  reset(): void {
    this.copy = undefined;
    this.loading = undefined;
  }
}
