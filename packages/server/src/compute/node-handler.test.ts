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

const nodes = () => h.client(compute.NodeService);
const vms = () => h.client(compute.VMService);
const small = { vcpus: 1, memoryMib: 512n };
const spec = (hostname: string) => ({
  hostname,
  managementIp: "10.0.0.9",
  agentAddress: "127.0.0.1:9999",
  cpu: { sockets: 1, coresPerSocket: 8, threadsPerCore: 2 },
  memoryMib: 32768n,
});

describe("NodeService over RPC", () => {
  it("registers a node with its operator settings, reads, lists by phase and label, and updates masked fields", async () => {
    const { node } = await nodes().registerNode({
      name: "hv-1",
      labels: { zone: "a" },
      spec: {
        ...spec("hv-1.lab"),
        reserved: { vcpus: 2, memoryMib: 2048n },
        taints: [{ key: "gpu", effect: compute.TaintEffect.NO_SCHEDULE }],
      },
    });
    expect(node?.status?.phase).toBe(compute.NodePhase.READY);
    expect(node?.status?.allocatable).toMatchObject({ vcpus: 14, memoryMib: 30720n });
    expect(node?.spec?.taints).toMatchObject([{ key: "gpu", effect: compute.TaintEffect.NO_SCHEDULE }]);
    expect((await nodes().getNode({ id: node!.id })).node?.name).toBe("hv-1");
    const listed = await nodes().listNodes({ states: [compute.NodePhase.READY], labelSelector: "zone=a" });
    expect(listed.nodes.map((n) => n.id)).toEqual([node!.id]);

    const { node: updated } = await nodes().updateNode({
      id: node!.id,
      resourceVersion: node!.resourceVersion,
      labels: { zone: "b" },
      spec: { ...spec("hv-1.lab"), cordoned: true, roles: [compute.NodeRole.STORAGE] },
      updateMask: { paths: ["labels", "spec.cordoned"] },
    });
    expect(updated?.labels).toEqual({ zone: "b" });
    expect(updated?.spec?.cordoned).toBe(true);
    expect(updated?.spec?.roles).toEqual([compute.NodeRole.COMPUTE]);
  });

  it("refuses incomplete registrations and agent-declared edits, naming the field", async () => {
    await expectInvalidField(nodes().registerNode({ name: "x" }), "spec");
    await expectInvalidField(
      nodes().registerNode({ name: "x", spec: { ...spec("x.lab"), cpu: undefined } }),
      "spec.cpu",
    );
    await expectInvalidField(
      nodes().registerNode({ name: "x", spec: { ...spec("x.lab"), roles: [9 as compute.NodeRole] } }),
      "spec.roles[0]",
    );
    const id = await h.registerNode("n1", 4, 8192);
    await expectInvalidField(
      nodes().updateNode({ id, spec: { memoryMib: 4096n }, updateMask: { paths: ["spec.memory_mib"] } }),
      "spec.memory_mib",
    );
    await expectInvalidField(nodes().listNodes({ states: [99 as compute.NodePhase] }), "states[0]");
  });

  it("answers a stale resource_version with Aborted and a missing node with NotFound", async () => {
    const id = await h.registerNode("n1", 4, 8192);
    const { node } = await nodes().getNode({ id });
    await nodes().cordonNode({ id });
    await expectCode(
      nodes().updateNode({ id, resourceVersion: node!.resourceVersion, labels: { a: "b" } }),
      Code.Aborted,
    );
    await expectCode(nodes().getNode({ id: "missing" }), Code.NotFound);
    await expectCode(nodes().heartbeat({ nodeId: "missing" }), Code.NotFound);
  });

  it("records heartbeats with usage and the VMs the agent sees, and serves the latest metrics", async () => {
    const id = await h.registerNode("n1", 4, 8192);
    await expectCode(nodes().getNodeMetrics({ nodeId: id }), Code.FailedPrecondition, /not reported usage/);
    const { vm } = await vms().createVM({ projectId: h.projectId, name: "app", spec: small });
    const beat = await nodes().heartbeat({
      nodeId: id,
      usage: { cpuPercent: 42.5, memoryUsedMib: 2048n },
      agentVersion: "1.2.3",
      vms: [{ vmId: vm!.id, powerState: compute.PowerState.STOPPED, ipAddresses: ["10.1.0.5"] }],
    });
    expect(beat.phase).toBe(compute.NodePhase.READY);
    expect(beat.heartbeatIntervalSec).toBe(1);
    const { metrics } = await nodes().getNodeMetrics({ nodeId: id });
    expect(metrics).toMatchObject({
      nodeId: id,
      cpuPercent: 42.5,
      memoryUsedMib: 2048n,
      memoryTotalMib: 8192n,
      vmCount: 1,
    });
    expect((await vms().getVM({ id: vm!.id })).vm?.status?.ipAddresses).toEqual(["10.1.0.5"]);
    expect((await nodes().getNode({ id })).node?.status?.agentVersion).toBe("1.2.3");
  });

  it("cordons and uncordons, adds and removes taints", async () => {
    const id = await h.registerNode("n1", 4, 8192);
    expect((await nodes().cordonNode({ id })).node?.spec?.cordoned).toBe(true);
    await expectCode(
      vms().createVM({ projectId: h.projectId, name: "app", spec: small }),
      Code.ResourceExhausted,
    );
    expect((await nodes().uncordonNode({ id })).node?.spec?.cordoned).toBe(false);
    const tainted = await nodes().addTaint({
      nodeId: id,
      taint: { key: "ssd", value: "yes", effect: compute.TaintEffect.PREFER_NO_SCHEDULE },
    });
    expect(tainted.node?.spec?.taints).toMatchObject([{ key: "ssd", value: "yes" }]);
    await expectInvalidField(nodes().addTaint({ nodeId: id }), "taint");
    await expectInvalidField(nodes().addTaint({ nodeId: id, taint: { key: "k" } }), "taint.effect");
    expect((await nodes().removeTaint({ nodeId: id, key: "ssd" })).node?.spec?.taints).toEqual([]);
    await expectCode(
      nodes().removeTaint({ nodeId: id, key: "ssd" }),
      Code.FailedPrecondition,
      /no taint ssd/,
    );
  });

  it("drains a node onto another, listing the VMs it moves", async () => {
    const a = await h.registerNode("n1", 4, 16384);
    const b = await h.registerNode("n2", 4, 16384);
    await nodes().cordonNode({ id: b });
    const { vm } = await vms().createVM({ projectId: h.projectId, name: "app", spec: small });
    await nodes().uncordonNode({ id: b });
    const drained = await nodes().drainNode({ id: a });
    expect(drained.node?.spec?.cordoned).toBe(true);
    expect(drained.migratedVmIds).toEqual([vm!.id]);
    expect(drained.stoppedVmIds).toEqual([]);
    await expect.poll(async () => (await vms().getVM({ id: vm!.id })).vm?.status?.nodeId).toBe(b);
  });

  it("refuses a drain that leaves VMs behind unless forced, and then stops them", async () => {
    const a = await h.registerNode("n1", 4, 16384);
    const { vm } = await vms().createVM({ projectId: h.projectId, name: "app", spec: small });
    await vms().startVM({ id: vm!.id });
    await expectCode(nodes().drainNode({ id: a }), Code.FailedPrecondition, /cannot move/);
    const forced = await nodes().drainNode({ id: a, force: true });
    expect(forced.stoppedVmIds).toEqual([vm!.id]);
    expect((await vms().getVM({ id: vm!.id })).vm?.spec?.desiredPowerState).toBe(
      compute.DesiredPowerState.STOPPED,
    );
  });

  it("refuses to decommission or delete a node that holds VMs, and deletes an empty one", async () => {
    const id = await h.registerNode("n1", 4, 16384);
    const { vm } = await vms().createVM({ projectId: h.projectId, name: "app", spec: small });
    await expectCode(nodes().decommissionNode({ id, force: true }), Code.FailedPrecondition, /drain it/);
    await expectCode(nodes().deleteNode({ id }), Code.FailedPrecondition, /drain it/);
    await vms().deleteVM({ id: vm!.id });
    expect((await nodes().decommissionNode({ id })).node?.status?.phase).toBe(
      compute.NodePhase.DECOMMISSIONED,
    );
    const { node } = await nodes().getNode({ id });
    await expectCode(nodes().deleteNode({ id, resourceVersion: node!.resourceVersion - 1n }), Code.Aborted);
    await nodes().deleteNode({ id });
    await expectCode(nodes().getNode({ id }), Code.NotFound);
  });

  it("serves the watch stream: the first message is the current node", async () => {
    const id = await h.registerNode("n1", 4, 16384);
    for await (const e of nodes().watchNodes({})) {
      expect(e.node?.id).toBe(id);
      break;
    }
  });
});
