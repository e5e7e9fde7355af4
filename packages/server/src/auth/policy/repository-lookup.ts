import { RESOURCES, type Repositories, type ResourceKind } from "@limiquantix/domain";
import type { ProjectLookup } from "./authorize";

/** repositoryLookup finds a resource's project by reading it from the repositories. */
export function repositoryLookup(repos: Repositories): ProjectLookup {
  return {
    async projectOf(kind: ResourceKind, id: string) {
      const repo = repos[RESOURCES[kind].repositoryKey] as { find(id: string): Promise<unknown> };
      const found = (await repo.find(id)) as { projectId?: unknown } | undefined;
      if (!found) return undefined;
      if (kind === "Project") return id;
      return typeof found.projectId === "string" ? found.projectId : null;
    },
  };
}
