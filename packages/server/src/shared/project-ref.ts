import { failedPrecondition, type ListFilter, type Repositories } from "@limiquantix/domain";

/**
 * resolveProjectId takes what a caller gave as a project (its id or its name, as ListProjects
 * shows both) and returns the project's id. A reference to no project is FailedPrecondition with
 * advice that works when followed.
 */
export async function resolveProjectId(repos: Pick<Repositories, "projects">, ref: string): Promise<string> {
  // An empty reference is the schema's to refuse, naming the field.
  if (ref === "") return ref;
  const byId = await repos.projects.find(ref);
  if (byId) return byId.id;
  const byName = await repos.projects.findByName(ref);
  if (byName) return byName.id;
  throw failedPrecondition(
    `project ${ref} is neither the id nor the name of a project; ListProjects shows them, and CreateProject with name "${ref}" creates it`,
    { resource: { kind: "Project", id: ref } },
  );
}

/**
 * withProjectId turns a list filter's project (an id or a name) into the project's id; a project
 * that does not exist is left as given, so the list is empty rather than an error.
 */
export async function withProjectId<F extends ListFilter<string>>(
  repos: { readonly projects: Pick<Repositories["projects"], "find" | "findByName"> },
  filter: F,
): Promise<F> {
  if (!filter.projectId) return filter;
  const found =
    (await repos.projects.find(filter.projectId)) ?? (await repos.projects.findByName(filter.projectId));
  return found && found.id !== filter.projectId ? { ...filter, projectId: found.id } : filter;
}
