import type { ServiceImpl } from "@connectrpc/connect";
import type { iam } from "@limiquantix/api";
import type { Services } from "../composition/services";
import { optionalVersion, pageRequestOf, pageResponseOf } from "../rpc/convert/common";
import { labelSelectorOf } from "../rpc/convert/request-fields";
import { projectChangeOf, projectToProto, quotaFromProto } from "./convert/project";

/** ProjectHandler is ProjectService. */
export type ProjectHandler = ServiceImpl<typeof iam.ProjectService>;

/** createProjectHandler implements ProjectService over the project service. */
export function createProjectHandler(s: Services): ProjectHandler {
  return {
    async createProject(req) {
      const project = await s.projects.create({
        name: req.name,
        labels: { ...req.labels },
        description: req.description,
        quota: quotaFromProto(req.quota),
      });
      return { project: projectToProto(project) };
    },
    async getProject(req) {
      return { project: projectToProto(await s.projects.get(req.id)) };
    },
    async listProjects(req) {
      const page = await s.projects.list(labelSelectorOf(req.labelSelector), pageRequestOf(req));
      return { projects: page.items.map(projectToProto), ...pageResponseOf(page) };
    },
    async updateProject(req) {
      const project = await s.projects.update(req.id, projectChangeOf(req), optionalVersion(req.resourceVersion));
      return { project: projectToProto(project) };
    },
    async deleteProject(req) {
      await s.projects.deleteProject(req.id, optionalVersion(req.resourceVersion));
      return {};
    },
  };
}
