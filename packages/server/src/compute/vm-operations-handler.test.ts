import { Code } from "@connectrpc/connect";
import { compute } from "@limiquantix/api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RpcHarness, startRpcHarness } from "../testing/rpc-harness";
import { powerIs, runningVm } from "../testing/vm-steps";
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

describe("VMService power operations over RPC", () => {
  it("starts, pauses, resumes, reboots, suspends and force-stops a VM, recording the desired state", async () => {
    await h.registerNode("n1", 4, 16384);
    const vm = await runningVm(h, "app");
    expect((await vms().pauseVM({ id: vm.id })).vm?.spec?.desiredPowerState).toBe(
      compute.DesiredPowerState.PAUSED,
    );
    await powerIs(h, vm.id, compute.PowerState.PAUSED);
    await vms().resumeVM({ id: vm.id });
    await powerIs(h, vm.id, compute.PowerState.RUNNING);
    expect((await vms().rebootVM({ id: vm.id })).vm?.id).toBe(vm.id);
    await vms().suspendVM({ id: vm.id });
    await powerIs(h, vm.id, compute.PowerState.SUSPENDED);
    await vms().startVM({ id: vm.id });
    await powerIs(h, vm.id, compute.PowerState.RUNNING);
    const stopped = await vms().stopVM({ id: vm.id, mode: compute.StopMode.FORCE });
    expect(stopped.vm?.spec?.desiredPowerState).toBe(compute.DesiredPowerState.STOPPED);
    await powerIs(h, vm.id, compute.PowerState.STOPPED);
  });

  it("refuses power requests that cannot lead anywhere, and inputs it cannot honour", async () => {
    await h.registerNode("n1", 4, 16384);
    const { vm } = await vms().createVM({ projectId: h.projectId, name: "app", spec: small });
    await expectCode(vms().pauseVM({ id: vm!.id }), Code.FailedPrecondition, /start it before you pause it/);
    await expectCode(vms().resumeVM({ id: vm!.id }), Code.FailedPrecondition, /nothing to resume/);
    await expectCode(vms().rebootVM({ id: vm!.id }), Code.FailedPrecondition, /only a RUNNING VM/);
    await expectInvalidField(vms().rebootVM({ id: vm!.id, force: true }), "force");
    await expectInvalidField(vms().stopVM({ id: vm!.id, mode: 7 as compute.StopMode }), "mode");
    await expectCode(vms().startVM({ id: "missing" }), Code.NotFound);
  });
});

describe("VMService snapshots, migration, clones and volumes over RPC", () => {
  it("takes, lists, reverts to and deletes a snapshot", async () => {
    await h.registerNode("n1", 4, 16384);
    const vm = await runningVm(h, "app");
    const { snapshot } = await vms().createSnapshot({
      vmId: vm.id,
      name: "before",
      description: "pre-upgrade",
      includeMemory: true,
    });
    expect(snapshot?.phase).toBe(compute.SnapshotPhase.READY);
    expect(snapshot?.includeMemory).toBe(true);
    const listed = await vms().listSnapshots({ vmId: vm.id });
    expect(listed.snapshots.map((s) => s.name)).toEqual(["before"]);
    expect(listed.totalCount).toBe(1);
    expect((await vms().revertToSnapshot({ vmId: vm.id, snapshotId: snapshot!.id })).vm?.id).toBe(vm.id);
    await vms().deleteSnapshot({ vmId: vm.id, snapshotId: snapshot!.id });
    expect((await vms().listSnapshots({ vmId: vm.id })).snapshots).toHaveLength(0);
    await expectCode(vms().listSnapshots({ vmId: "missing" }), Code.NotFound);
    await expectCode(vms().deleteSnapshot({ vmId: vm.id, snapshotId: snapshot!.id }), Code.NotFound);
  });

  it("refuses a memory snapshot of a stopped VM", async () => {
    await h.registerNode("n1", 4, 16384);
    const { vm } = await vms().createVM({ projectId: h.projectId, name: "app", spec: small });
    await expectCode(
      vms().createSnapshot({ vmId: vm!.id, name: "s", includeMemory: true }),
      Code.FailedPrecondition,
      /RUNNING/,
    );
  });

  it("live-migrates a running VM to the node named, and refuses its own node as the target", async () => {
    const a = await h.registerNode("n1", 4, 16384);
    const b = await h.registerNode("n2", 4, 16384);
    const vm = await runningVm(h, "app");
    const source = vm.status!.nodeId;
    const target = source === a ? b : a;
    await expectInvalidField(vms().migrateVM({ id: vm.id, targetNodeId: source }), "target_node_id");
    // The call answers with the outcome: the VM already on its new node, running.
    const { vm: moved } = await vms().migrateVM({ id: vm.id, targetNodeId: target, live: true });
    expect(moved?.status?.nodeId).toBe(target);
    expect(moved?.status?.migration).toBeUndefined();
    expect(moved?.status?.powerState).toBe(compute.PowerState.RUNNING);
  });

  it("clones a VM under a new name with the labels asked for, and starts it when asked", async () => {
    await h.registerNode("n1", 4, 16384);
    const { vm } = await vms().createVM({
      projectId: h.projectId,
      name: "src",
      labels: { app: "x" },
      spec: small,
    });
    const { vm: copy } = await vms().cloneVM({ id: vm!.id, name: "copy", labels: { app: "y" }, start: true });
    expect(copy?.name).toBe("copy");
    expect(copy?.labels).toEqual({ app: "y" });
    expect(copy?.spec?.desiredPowerState).toBe(compute.DesiredPowerState.RUNNING);
    await powerIs(h, copy!.id, compute.PowerState.RUNNING);
    await expectInvalidField(vms().cloneVM({ id: vm!.id, name: "bad", labels: { "-x": "y" } }), "labels.-x");
    expect((await vms().listVMs({})).totalCount).toBe(2);
  });

  it("attaches and detaches a volume, and refuses to delete a VM that still has one", async () => {
    await h.registerNode("n1", 4, 16384);
    const pool = await h.services.pools.create(h.ctx, {
      name: "pool",
      spec: { type: "LOCAL_DIR", capacityGib: 100 },
    });
    const volume = await h.services.volumes.createVolume(h.ctx, {
      projectId: h.projectId,
      name: "data",
      spec: { poolId: pool.id, sizeGib: 10 },
    });
    const { vm } = await vms().createVM({ projectId: h.projectId, name: "db", spec: small });
    await expectInvalidField(
      vms().attachVolume({ vmId: vm!.id, volumeId: volume.id, bus: 12 as compute.DiskBus }),
      "bus",
    );
    const attached = await vms().attachVolume({
      vmId: vm!.id,
      volumeId: volume.id,
      diskName: "data",
      readOnly: true,
      bus: compute.DiskBus.SCSI,
    });
    expect(attached.vm?.spec?.disks).toMatchObject([
      { name: "data", volumeId: volume.id, readOnly: true, bus: compute.DiskBus.SCSI },
    ]);
    await expectCode(vms().deleteVM({ id: vm!.id }), Code.FailedPrecondition, /detach/);
    const detached = await vms().detachVolume({ vmId: vm!.id, volumeId: volume.id });
    expect(detached.vm?.spec?.disks).toHaveLength(0);
    await expectCode(
      vms().detachVolume({ vmId: vm!.id, volumeId: volume.id }),
      Code.FailedPrecondition,
      /not attached/,
    );
    await expectCode(vms().attachVolume({ vmId: vm!.id, volumeId: "missing" }), Code.NotFound);
    await vms().deleteVM({ id: vm!.id });
  });
});
