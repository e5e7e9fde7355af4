import type { Message } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { CliError, ExitCode, usageError } from "../exit-codes";
import type { Session } from "../session/session";
import { projectKind } from "./iam-kinds";
import type { ListQuery, ResourceKind } from "./kind";

/**
 * resolve finds one object of a kind by id or by name: it reads the id first (one call), then
 * looks the name up in the list (within the project, when one is given). A name several objects
 * share (in different projects) is refused, naming the projects.
 */
export async function resolve(
  session: Session,
  kind: ResourceKind,
  ref: string,
  query: ListQuery = {},
): Promise<Message> {
  if (!ref) throw usageError(`name the ${kind.name} (its name or id)`);
  if (kind.get) {
    try {
      return await kind.get(session, ref);
    } catch (e) {
      const code = ConnectError.from(e).code;
      if (code !== Code.NotFound && code !== Code.InvalidArgument) throw e;
    }
  }
  const items = await kind.list(session, query);
  const byId = items.find((i) => kind.idOf(i) === ref);
  if (byId) return byId;
  const matches = items.filter((i) => kind.nameOf(i) === ref);
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0)
    throw new CliError(
      `${kind.name} "${ref}" not found${query.projectId ? " in that project" : ""}`,
      ExitCode.NOT_FOUND,
    );
  throw usageError(
    `${matches.length} ${kind.plural} are named "${ref}": name the project with --project, or use the id (${matches.map((m) => kind.idOf(m)).join(", ")})`,
  );
}

/** resolveProjectId turns a project name or id into the project's id. */
export async function resolveProjectId(session: Session, ref: string): Promise<string> {
  const project = await resolve(session, projectKind, ref);
  return projectKind.idOf(project);
}
