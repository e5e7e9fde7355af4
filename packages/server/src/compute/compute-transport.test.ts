import { Code } from "@connectrpc/connect";
import { compute, iam } from "@limiquantix/api";
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

describe("compute services on one port", () => {
  it("serves the same handlers over gRPC (h2c) and Connect (HTTP/1.1), errors and details included", async () => {
    await h.registerNode("n1", 4, 16384);
    const overGrpc = h.client(compute.VMService, h.grpc);
    const overConnect = h.client(compute.VMService, h.connect);
    const { vm } = await overGrpc.createVM({
      projectId: h.projectId,
      name: "via-grpc",
      spec: { vcpus: 1, memoryMib: 512n },
    });
    expect((await overConnect.getVM({ id: vm!.id })).vm?.name).toBe("via-grpc");
    const { project } = await h.client(iam.ProjectService, h.connect).createProject({ name: "via-connect" });
    expect((await h.client(iam.ProjectService, h.grpc).getProject({ id: project!.id })).project?.name).toBe(
      "via-connect",
    );

    for (const client of [overGrpc, overConnect]) {
      await expectCode(client.getVM({ id: "missing" }), Code.NotFound);
      await expectInvalidField(
        client.createVM({ projectId: h.projectId, name: "x", spec: { vcpus: 0, memoryMib: 512n } }),
        "spec.vcpus",
      );
    }
  });

  it("lets exactly 20 of 50 concurrent CreateVM calls succeed against room for 20, never overcommitting a node", async () => {
    // Two nodes of 5 cores at the default CPU overcommit of 2.0: room for 20 one-vCPU VMs.
    await h.registerNode("n1", 5, 65536);
    await h.registerNode("n2", 5, 65536);
    const client = h.client(compute.VMService, h.grpc);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        client.createVM({ projectId: h.projectId, name: `vm-${i}`, spec: { vcpus: 1, memoryMib: 512n } }),
      ),
    );
    const ok = results.filter((r) => r.status === "fulfilled");
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(20);
    for (const f of failed)
      expect(Code[(f.reason as { code: Code }).code]).toBe(Code[Code.ResourceExhausted]);
    const { nodes } = await h.client(compute.NodeService).listNodes({});
    for (const node of nodes) {
      expect(node.status!.allocated!.vcpus).toBeLessThanOrEqual(10);
      const placed = await h.client(compute.VMService).listVMs({ nodeId: node.id });
      expect(node.status!.allocated!.vmCount).toBe(placed.totalCount);
    }
    expect((await h.client(compute.VMService).listVMs({})).totalCount).toBe(20);
  });
});
