import { Code } from "@connectrpc/connect";
import { compute } from "@limiquantix/api";
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

describe("ClusterService over RPC", () => {
  it("creates a cluster with defaults for what it leaves unset, reads, lists, updates and deletes it", async () => {
    const clusters = h.client(compute.ClusterService);
    const { cluster } = await clusters.createCluster({
      name: "east",
      labels: { region: "east" },
      spec: {
        description: "east racks",
        drs: { enabled: true, automationLevel: compute.DrsAutomationLevel.FULL },
      },
    });
    expect(cluster?.spec?.drs?.automationLevel).toBe(compute.DrsAutomationLevel.FULL);
    expect(cluster?.spec?.drs?.intervalSec).toBe(300);
    expect(cluster?.spec?.ha?.checkIntervalSec).toBe(30);
    expect(cluster?.spec?.overcommit?.cpu).toBe(2);
    expect((await clusters.getCluster({ id: cluster!.id })).cluster?.name).toBe("east");
    expect(
      (await clusters.listClusters({ labelSelector: "region in (east,west)" })).clusters.map((c) => c.name),
    ).toEqual(["east"]);

    const { cluster: updated } = await clusters.updateCluster({
      id: cluster!.id,
      resourceVersion: cluster!.resourceVersion,
      spec: { description: "not masked", overcommit: { cpu: 4, memory: 1 } },
      updateMask: { paths: ["spec.overcommit"] },
    });
    expect(updated?.spec?.overcommit).toMatchObject({ cpu: 4, memory: 1 });
    expect(updated?.spec?.description).toBe("east racks");
    expect(updated?.spec?.drs?.automationLevel).toBe(compute.DrsAutomationLevel.FULL);

    await clusters.deleteCluster({ id: cluster!.id, resourceVersion: updated!.resourceVersion });
    await expectCode(clusters.getCluster({ id: cluster!.id }), Code.NotFound);
  });

  it("refuses out-of-range settings and unknown enum numbers, naming the field", async () => {
    const clusters = h.client(compute.ClusterService);
    await expectInvalidField(
      clusters.createCluster({ name: "c", spec: { drs: { migrationThreshold: 9 } } }),
      "spec.drs.migration_threshold",
    );
    await expectInvalidField(
      clusters.createCluster({
        name: "c",
        spec: { drs: { automationLevel: 42 as compute.DrsAutomationLevel } },
      }),
      "spec.drs.automation_level",
    );
    await expectInvalidField(
      clusters.createCluster({ name: "c", spec: { overcommit: { cpu: 64 } } }),
      "spec.overcommit.cpu",
    );
  });

  it("refuses a duplicate name with AlreadyExists", async () => {
    await expectCode(h.client(compute.ClusterService).createCluster({ name: "default" }), Code.AlreadyExists);
  });

  it("answers a stale resource_version with Aborted, on update and on delete", async () => {
    const clusters = h.client(compute.ClusterService);
    const { cluster } = await clusters.createCluster({ name: "c" });
    await clusters.updateCluster({ id: cluster!.id, labels: { a: "b" } });
    await expectCode(
      clusters.updateCluster({ id: cluster!.id, resourceVersion: 1n, labels: { a: "c" } }),
      Code.Aborted,
    );
    await expectCode(clusters.deleteCluster({ id: cluster!.id, resourceVersion: 1n }), Code.Aborted);
  });

  it("refuses to delete a cluster that still has nodes", async () => {
    await h.registerNode("n1", 2, 4096);
    const { clusters } = await h.client(compute.ClusterService).listClusters({});
    await expectCode(
      h.client(compute.ClusterService).deleteCluster({ id: clusters[0]!.id }),
      Code.FailedPrecondition,
      /node/,
    );
  });
});
