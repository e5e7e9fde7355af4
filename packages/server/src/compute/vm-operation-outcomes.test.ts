import { Code } from "@connectrpc/connect";
import { compute, storage } from "@limiquantix/api";
import { eventually } from "@limiquantix/domain/conformance";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { expectCode } from "../rpc/rpc-test-support";
import { type RpcHarness, startRpcHarness } from "../testing/rpc-harness";
import { powerIs } from "../testing/vm-steps";

let h: RpcHarness;
beforeEach(async () => {
  h = await startRpcHarness();
});
afterEach(async () => {
  await h.close();
});

const small = { vcpus: 1, memoryMib: 512n };
const vms = () => h.client(compute.VMService);
const nodes = () => h.client(compute.NodeService);

describe("operations that fail leave nothing behind", () => {
  it("keeps no snapshot when the agent cannot take it, so a retry with the same name is not refused as a duplicate", async () => {
    await h.registerNode("n1", 4, 16384);
    const { vm } = await vms().createVM({ projectId: h.projectId, name: "never-started", spec: small });
    // The VM was never started, so its node's agent does not know it and refuses the snapshot.
    const first = await expectCode(
      vms().createSnapshot({ vmId: vm!.id, name: "s1" }),
      Code.FailedPrecondition,
      /snapshot of vm/,
    );
    expect(first.message).not.toMatch(/already/);
    await expectCode(
      vms().createSnapshot({ vmId: vm!.id, name: "s1" }),
      Code.FailedPrecondition,
      /snapshot of vm/,
    );
    expect((await vms().listSnapshots({ vmId: vm!.id })).snapshots).toEqual([]);
  });

  it("removes the volumes a refused clone copied", async () => {
    await h.registerNode("n1", 4, 16384);
    const pools = h.client(storage.StoragePoolService);
    const volumes = h.client(storage.VolumeService);
    const { storagePool } = await pools.createStoragePool({
      name: "p",
      spec: { type: storage.StoragePoolType.LOCAL_DIR, capacityGib: 100n, overprovisionRatio: 1 },
    });
    const { volume } = await volumes.createVolume({
      name: "root",
      projectId: h.projectId,
      spec: { poolId: storagePool!.id, sizeGib: 10n },
    });
    const { vm } = await vms().createVM({
      projectId: h.projectId,
      name: "src",
      spec: { ...small, disks: [{ name: "root", volumeId: volume!.id }] },
    });
    await vms().createVM({ projectId: h.projectId, name: "taken", spec: small });
    await expectCode(vms().cloneVM({ id: vm!.id, name: "taken" }), Code.AlreadyExists);
    const left = (await volumes.listVolumes({ projectId: h.projectId })).volumes.map((v) => v.name);
    expect(left).toEqual(["root"]);
    const pool = (await pools.getStoragePool({ id: storagePool!.id })).storagePool!;
    expect(pool.status?.allocatedGib).toBe(10n);
  });
});

describe("operations that report what happened", () => {
  it("makes a drained node that is uncordoned READY again, so it takes VMs", async () => {
    const a = await h.registerNode("a", 4, 16384);
    await h.registerNode("b", 4, 16384);
    await nodes().drainNode({ id: a });
    await eventually(async () =>
      expect((await nodes().getNode({ id: a })).node?.status?.phase).toBe(compute.NodePhase.MAINTENANCE),
    );
    const back = await nodes().uncordonNode({ id: a });
    expect(back.node?.status?.phase).toBe(compute.NodePhase.READY);
    expect(back.node?.spec?.cordoned).toBe(false);
    await nodes().cordonNode({ id: (await nodes().listNodes({})).nodes.find((n) => n.id !== a)!.id });
    const { vm } = await vms().createVM({ projectId: h.projectId, name: "lands-on-a", spec: small });
    expect(vm?.status?.nodeId).toBe(a);
  });

  it("starts a reverted VM that should run at once, without waiting for the periodic resync", async () => {
    await h.close();
    h = await startRpcHarness({ resyncIntervalSec: 3600 });
    await h.registerNode("n1", 4, 16384);
    const { vm } = await vms().createVM({ projectId: h.projectId, name: "app", spec: small });
    await vms().startVM({ id: vm!.id });
    await powerIs(h, vm!.id, compute.PowerState.RUNNING);
    // A disk-only snapshot: reverting to it leaves the VM stopped, while the user wants it running.
    const { snapshot } = await vms().createSnapshot({ vmId: vm!.id, name: "disk-only" });
    const reverted = await vms().revertToSnapshot({ vmId: vm!.id, snapshotId: snapshot!.id });
    expect(reverted.vm?.spec?.desiredPowerState).toBe(compute.DesiredPowerState.RUNNING);
    await powerIs(h, vm!.id, compute.PowerState.RUNNING);
  });

  it("answers a migration off an unreachable node with its failure, and the VM stays where it was", async () => {
    const a = await h.registerNode("a", 4, 16384);
    const b = await h.registerNode("b", 4, 16384);
    const { vm } = await vms().createVM({ projectId: h.projectId, name: "app", spec: small });
    await vms().startVM({ id: vm!.id });
    await powerIs(h, vm!.id, compute.PowerState.RUNNING);
    const source = (await vms().getVM({ id: vm!.id })).vm!.status!.nodeId;
    const target = source === a ? b : a;
    h.adapters.agentPool.host(source).setReachable(false);
    await expectCode(
      vms().migrateVM({ id: vm!.id, targetNodeId: target, live: true }),
      Code.FailedPrecondition,
      /migration of vm "app" failed/,
    );
    const after = (await vms().getVM({ id: vm!.id })).vm!;
    expect(after.status?.nodeId).toBe(source);
    expect(after.status?.migration).toBeUndefined();
  });

  it("refuses a live migration of a stopped VM before anything moves", async () => {
    const a = await h.registerNode("a", 4, 16384);
    const b = await h.registerNode("b", 4, 16384);
    const { vm } = await vms().createVM({ projectId: h.projectId, name: "cold", spec: small });
    const target = vm!.status!.nodeId === a ? b : a;
    await expectCode(
      vms().migrateVM({ id: vm!.id, targetNodeId: target, live: true }),
      Code.FailedPrecondition,
      /live=false/,
    );
    const cold = await vms().migrateVM({ id: vm!.id, targetNodeId: target });
    expect(cold.vm?.status?.nodeId).toBe(target);
  });

  it("answers a drain whose moves fail with an error naming the VMs, and leaves the node cordoned, not in maintenance", async () => {
    const a = await h.registerNode("a", 4, 16384);
    await h.registerNode("b", 4, 16384);
    await nodes().cordonNode({ id: (await nodes().listNodes({})).nodes.find((n) => n.id !== a)!.id });
    const { vm } = await vms().createVM({ projectId: h.projectId, name: "stuck", spec: small });
    await vms().startVM({ id: vm!.id });
    await powerIs(h, vm!.id, compute.PowerState.RUNNING);
    await nodes().uncordonNode({ id: (await nodes().listNodes({})).nodes.find((n) => n.id !== a)!.id });
    h.adapters.agentPool.host(a).setReachable(false);
    await expectCode(nodes().drainNode({ id: a }), Code.FailedPrecondition, /did not move: stuck/);
    const node = (await nodes().getNode({ id: a })).node!;
    expect(node.spec?.cordoned).toBe(true);
    expect(node.status?.phase).not.toBe(compute.NodePhase.MAINTENANCE);
    expect((await vms().getVM({ id: vm!.id })).vm?.status?.nodeId).toBe(a);
  });
});

describe("how a stop is done", () => {
  it("keeps the stop mode asked for in the VM's spec, so whichever replica leads stops it as asked", async () => {
    await h.registerNode("n1", 4, 16384);
    const { vm } = await vms().createVM({ projectId: h.projectId, name: "app", spec: small });
    await vms().startVM({ id: vm!.id });
    await powerIs(h, vm!.id, compute.PowerState.RUNNING);
    const stopped = await vms().stopVM({ id: vm!.id, mode: compute.StopMode.FORCE });
    expect(stopped.vm?.spec?.stopMode).toBe(compute.StopMode.FORCE);
    const stored = await h.adapters.repositories.vms.get(vm!.id);
    expect(stored.spec.stopMode).toBe("force");
  });
});
