import { Code } from "@connectrpc/connect";
import { iam } from "@limiquantix/api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RpcHarness, startRpcHarness } from "../testing/rpc-harness";
import { expectCode, expectInvalidField } from "../rpc/rpc-test-support";

let h: RpcHarness;
beforeEach(async () => {
  h = await startRpcHarness();
});
afterEach(async () => {
  await h.close();
});

describe("ProjectService over RPC", () => {
  it("creates, reads, lists by label, updates and deletes a project with its quota", async () => {
    const projects = h.client(iam.ProjectService);
    const { project } = await projects.createProject({
      name: "team-a",
      labels: { tier: "gold" },
      description: "first team",
      quota: { vcpus: 8, memoryMib: 16384n },
    });
    expect(project?.quota?.vcpus).toBe(8);
    expect(project?.quota?.memoryMib).toBe(16384n);
    expect(project?.quota?.vms).toBeUndefined();
    expect((await projects.getProject({ id: project!.id })).project?.name).toBe("team-a");

    const listed = await projects.listProjects({ labelSelector: "tier=gold" });
    expect(listed.projects.map((p) => p.name)).toEqual(["team-a"]);
    expect(listed.totalCount).toBe(1);

    const { project: updated } = await projects.updateProject({
      id: project!.id,
      resourceVersion: project!.resourceVersion,
      quota: { vms: 4 },
      description: "ignored: not in the mask",
      updateMask: { paths: ["quota.vms"] },
    });
    expect(updated?.quota?.vms).toBe(4);
    expect(updated?.quota?.vcpus).toBe(8);
    expect(updated?.description).toBe("first team");

    await projects.deleteProject({ id: project!.id });
    await expectCode(projects.getProject({ id: project!.id }), Code.NotFound);
  });

  it("pages through projects with page_size and page_token", async () => {
    const projects = h.client(iam.ProjectService);
    for (const name of ["p1", "p2", "p3"]) await projects.createProject({ name });
    const first = await projects.listProjects({ pageSize: 2 });
    expect(first.projects).toHaveLength(2);
    expect(first.totalCount).toBe(4);
    const second = await projects.listProjects({ pageSize: 2, pageToken: first.nextPageToken });
    expect(second.projects).toHaveLength(2);
    expect(second.nextPageToken).toBe("");
  });

  it("refuses a duplicate name with AlreadyExists and a bad name with a field violation", async () => {
    const projects = h.client(iam.ProjectService);
    await expectCode(projects.createProject({ name: "default" }), Code.AlreadyExists);
    await expectInvalidField(projects.createProject({ name: "Not_A_Name" }), "name");
  });

  it("answers a stale resource_version with Aborted", async () => {
    const projects = h.client(iam.ProjectService);
    const { project } = await projects.createProject({ name: "p" });
    await projects.updateProject({ id: project!.id, description: "one" });
    const f = await expectCode(
      projects.updateProject({
        id: project!.id,
        resourceVersion: project!.resourceVersion,
        description: "two",
      }),
      Code.Aborted,
    );
    expect(f.details?.code).toBe("Conflict");
  });

  it("refuses an update_mask path it does not know, naming it", async () => {
    const projects = h.client(iam.ProjectService);
    await expectInvalidField(
      projects.updateProject({ id: h.projectId, updateMask: { paths: ["owner"] } }),
      "update_mask.paths[0]",
    );
  });

  it("refuses to delete a project that still owns VMs", async () => {
    await h.registerNode("n1", 4, 16384);
    await h.services.vms.create(h.ctx, {
      projectId: h.projectId,
      name: "vm",
      spec: { cpu: { vcpus: 1 }, memory: { sizeMib: 512 } },
    });
    await expectCode(
      h.client(iam.ProjectService).deleteProject({ id: h.projectId }),
      Code.FailedPrecondition,
      /1 VMs/,
    );
  });

  it("answers NotFound for a project that does not exist", async () => {
    await expectCode(h.client(iam.ProjectService).getProject({ id: "nope" }), Code.NotFound);
  });
});
