import { iam } from "@limiquantix/api";
import { type RpcRoute, route } from "../rpc/route";
import type { ProjectService } from "./project-service";
import { optionalVersion, pageRequestOf, pageResponseOf } from "../rpc/convert/common";
import { labelSelectorOf } from "../rpc/convert/request-fields";
import { projectChangeOf, projectToProto, quotaFromProto } from "./convert/project";

/** projectHandler answers ProjectService calls through the project service. */
export function projectHandler(projects: ProjectService): RpcRoute {
  return route(iam.ProjectService, {
    async createProject(ctx, req) {
      const project = await projects.create(ctx, {
        name: req.name,
        labels: { ...req.labels },
        description: req.description,
        quota: quotaFromProto(req.quota),
      });
      return { project: projectToProto(project) };
    },
    async getProject(ctx, req) {
      return { project: projectToProto(await projects.get(ctx, req.id)) };
    },
    async listProjects(ctx, req) {
      const page = await projects.list(ctx, labelSelectorOf(req.labelSelector), pageRequestOf(req));
      const p = ctx.principal;
      // A caller bound only to projects sees just those (the page may hold fewer than asked).
      if (p.kind !== "system" && p.kind !== "anonymous" && !p.role) {
        const mine = new Set((p.projects ?? []).map((m) => m.projectId));
        const items = page.items.filter((x) => mine.has(x.id));
        return {
          projects: items.map(projectToProto),
          nextPageToken: page.nextCursor ?? "",
          totalCount: mine.size,
        };
      }
      return { projects: page.items.map(projectToProto), ...pageResponseOf(page) };
    },
    async updateProject(ctx, req) {
      const project = await projects.update(
        ctx,
        req.id,
        projectChangeOf(req),
        optionalVersion(req.resourceVersion),
      );
      return { project: projectToProto(project) };
    },
    async deleteProject(ctx, req) {
      await projects.deleteProject(ctx, req.id, optionalVersion(req.resourceVersion));
      return {};
    },
  });
}
