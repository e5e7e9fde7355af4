import { clone } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { compute } from "@limiquantix/api";
import { eventually } from "@limiquantix/domain/conformance";
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

const small = { vcpus: 1, memoryMib: 512n };
const vms = () => h.client(compute.VMService);

/** runs starts a VM through the API and waits until its agent reports it RUNNING (no status is faked, so the reconciler agrees). */
async function runs(id: string): Promise<void> {
  await vms().startVM({ id });
  await eventually(async () =>
    expect((await vms().getVM({ id })).vm?.status?.powerState).toBe(compute.PowerState.RUNNING),
  );
}

describe("VMService CRUD over RPC", () => {
  it("creates a VM placed on a node, reads it back, lists it by state and label, and deletes it", async () => {
    const nodeId = await h.registerNode("n1", 4, 16384);
    const { vm } = await vms().createVM({
      projectId: h.projectId,
      name: "web-1",
      labels: { app: "web" },
      spec: small,
    });
    expect(vm?.status?.nodeId).toBe(nodeId);
    expect(vm?.status?.powerState).toBe(compute.PowerState.STOPPED);
    expect(vm?.spec?.memoryMib).toBe(512n);
    expect(vm?.spec?.desiredPowerState).toBe(compute.DesiredPowerState.STOPPED);
    expect(vm?.resourceVersion).toBeGreaterThan(0n);
    expect((await vms().getVM({ id: vm!.id })).vm?.name).toBe("web-1");

    await vms().createVM({ projectId: h.projectId, name: "db-1", labels: { app: "db" }, spec: small });
    const byLabel = await vms().listVMs({ labelSelector: "app=web" });
    expect(byLabel.vms.map((v) => v.name)).toEqual(["web-1"]);
    const byState = await vms().listVMs({ states: [compute.PowerState.RUNNING] });
    expect(byState.vms).toHaveLength(0);
    const byNode = await vms().listVMs({ nodeId, projectId: h.projectId, pageSize: 1 });
    expect(byNode.vms).toHaveLength(1);
    expect(byNode.totalCount).toBe(2);
    expect(byNode.nextPageToken).not.toBe("");

    await vms().deleteVM({ id: vm!.id, resourceVersion: vm!.resourceVersion });
    await expectCode(vms().getVM({ id: vm!.id }), Code.NotFound);
  });

  it("names the wire field of each invalid part of a CreateVM request", async () => {
    await h.registerNode("n1", 4, 16384);
    const base = { projectId: h.projectId, name: "vm" };
    await expectInvalidField(vms().createVM(base), "spec");
    await expectInvalidField(vms().createVM({ ...base, spec: { vcpus: 0, memoryMib: 512n } }), "spec.vcpus");
    const mem = await expectInvalidField(
      vms().createVM({ ...base, spec: { vcpus: 1, memoryMib: 128n } }),
      "spec.memory_mib",
    );
    expect(mem.message).toMatch(/spec\.memory_mib must be at least 512 \(got 128\)/);
    await expectInvalidField(
      vms().createVM({ ...base, spec: { ...small, desiredPowerState: 99 as compute.DesiredPowerState } }),
      "spec.desired_power_state",
    );
    await expectInvalidField(
      vms().createVM({
        ...base,
        spec: { ...small, disks: [{ name: "d", volumeId: "v", bus: 17 as compute.DiskBus }] },
      }),
      "spec.disks[0].bus",
    );
    await expectInvalidField(
      vms().createVM({ ...base, spec: { ...small, nodeSelector: [{ key: "zone", values: ["a"] }] } }),
      "spec.node_selector[0].operator",
    );
    await expectInvalidField(vms().createVM({ ...base, name: "Bad Name", spec: small }), "name");
  });

  it("refuses a duplicate name with AlreadyExists and an unknown project with FailedPrecondition", async () => {
    await h.registerNode("n1", 4, 16384);
    await vms().createVM({ projectId: h.projectId, name: "dup", spec: small });
    await expectCode(
      vms().createVM({ projectId: h.projectId, name: "dup", spec: small }),
      Code.AlreadyExists,
    );
    await expectCode(
      vms().createVM({ projectId: "nope", name: "x", spec: small }),
      Code.FailedPrecondition,
      /project nope/,
    );
  });

  it("answers AlreadyExists for a taken name even when the VM would not fit, and keeps nothing of the refused create", async () => {
    await h.registerNode("n1", 1, 1024);
    const first = await vms().createVM({ projectId: h.projectId, name: "only", spec: small });
    // The retry of a create that succeeded: the node is full now, but the name is what is taken.
    await expectCode(
      vms().createVM({ projectId: h.projectId, name: "only", spec: small }),
      Code.AlreadyExists,
      /only/,
    );
    const listed = await vms().listVMs({ projectId: h.projectId });
    expect(listed.vms.map((v) => v.id)).toEqual([first.vm?.id]);
  });

  it("answers ResourceExhausted when no node has room", async () => {
    await h.registerNode("n1", 1, 1024);
    const f = await expectCode(
      vms().createVM({ projectId: h.projectId, name: "big", spec: { vcpus: 64, memoryMib: 512n } }),
      Code.ResourceExhausted,
      /0\/1 nodes fit/,
    );
    expect(f.details?.code).toBe("ResourceExhausted");
  });

  it("refuses list filters it cannot read, naming them", async () => {
    await expectInvalidField(vms().listVMs({ states: [42 as compute.PowerState] }), "states[0]");
    await expectInvalidField(vms().listVMs({ labelSelector: "a in b" }), "label_selector");
  });

  it("updates only the masked fields, or with no mask the fields given", async () => {
    await h.registerNode("n1", 4, 16384);
    const { vm } = await vms().createVM({
      projectId: h.projectId,
      name: "app",
      labels: { a: "1" },
      spec: small,
    });
    const masked = await vms().updateVM({
      id: vm!.id,
      resourceVersion: vm!.resourceVersion,
      labels: { a: "2" },
      spec: { description: "not masked", vcpus: 2, memoryMib: 1024n },
      updateMask: { paths: ["labels", "spec.vcpus"] },
    });
    expect(masked.vm?.labels).toEqual({ a: "2" });
    expect(masked.vm?.spec?.vcpus).toBe(2);
    expect(masked.vm?.spec?.memoryMib).toBe(512n);
    expect(masked.vm?.spec?.description).toBe("");

    const given = await vms().updateVM({
      id: vm!.id,
      spec: { description: "now given", ha: { enabled: false } },
    });
    expect(given.vm?.spec?.description).toBe("now given");
    expect(given.vm?.spec?.ha?.enabled).toBe(false);
    expect(given.vm?.spec?.vcpus).toBe(2);
    expect(given.vm?.labels).toEqual({ a: "2" });
  });

  it("accepts a VM's own spec echoed back while it runs, but refuses a resize or a fixed field that changes", async () => {
    await h.registerNode("n1", 4, 16384);
    const { vm } = await vms().createVM({ projectId: h.projectId, name: "app", spec: small });
    await runs(vm!.id);
    const current = (await vms().getVM({ id: vm!.id })).vm!;
    const spec = clone(compute.VmSpecSchema, current.spec!);
    spec.description = "echo";
    const echoed = await vms().updateVM({ id: vm!.id, spec });
    expect(echoed.vm?.spec?.description).toBe("echo");
    await expectCode(vms().updateVM({ id: vm!.id, spec: { vcpus: 3 } }), Code.FailedPrecondition, /stop it/);
    await expectInvalidField(
      vms().updateVM({ id: vm!.id, spec: { desiredPowerState: compute.DesiredPowerState.PAUSED } }),
      "spec.desired_power_state",
    );
    await expectInvalidField(
      vms().updateVM({ id: vm!.id, updateMask: { paths: ["spec.colour"] } }),
      "update_mask.paths[0]",
    );
  });

  it("answers a stale resource_version with Aborted on update and delete", async () => {
    await h.registerNode("n1", 4, 16384);
    const { vm } = await vms().createVM({ projectId: h.projectId, name: "app", spec: small });
    await vms().updateVM({ id: vm!.id, labels: { x: "y" } });
    const f = await expectCode(
      vms().updateVM({ id: vm!.id, resourceVersion: vm!.resourceVersion, labels: { x: "z" } }),
      Code.Aborted,
    );
    expect(f.details?.code).toBe("Conflict");
    await expectCode(vms().deleteVM({ id: vm!.id, resourceVersion: vm!.resourceVersion }), Code.Aborted);
  });

  it("refuses to delete a running VM unless forced", async () => {
    await h.registerNode("n1", 4, 16384);
    const { vm } = await vms().createVM({ projectId: h.projectId, name: "app", spec: small });
    await runs(vm!.id);
    await expectCode(vms().deleteVM({ id: vm!.id }), Code.FailedPrecondition, /force/);
    await vms().deleteVM({ id: vm!.id, force: true });
    await expectCode(vms().getVM({ id: vm!.id }), Code.NotFound);
  });

  it("serves the watch stream: the first message is the current VM", async () => {
    await h.registerNode("n1", 4, 16384);
    const { vm } = await vms().createVM({ projectId: h.projectId, name: "app", spec: small });
    for await (const e of vms().watchVMs({})) {
      expect(e.vm?.id).toBe(vm!.id);
      break;
    }
  });
});
