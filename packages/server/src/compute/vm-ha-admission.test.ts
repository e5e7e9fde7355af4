import { Code } from "@connectrpc/connect";
import { compute, rpc } from "@limiquantix/api";
import { eventually } from "@limiquantix/domain/conformance";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { expectCode } from "../rpc/rpc-test-support";
import { type RpcHarness, startRpcHarness } from "../testing/rpc-harness";

let h: RpcHarness;
let n1: string;
let n2: string;
beforeEach(async () => {
  h = await startRpcHarness();
  // Two hosts of 4 cores and 8 GiB: 8 vCPU and 12 GiB each after the default overcommit.
  n1 = await h.registerNode("n1", 4, 8192);
  n2 = await h.registerNode("n2", 4, 8192);
});
afterEach(async () => {
  await h.close();
});

const vms = () => h.client(compute.VMService);
const GiB = 1024n;

/** admission sets the default cluster's HA admission control (HA stays enabled). */
async function admission(ac: {
  policy: compute.AdmissionControlPolicy;
  hostFailuresToTolerate?: number;
  cpuReservePercent?: number;
  memoryReservePercent?: number;
}): Promise<void> {
  const clusters = h.client(compute.ClusterService);
  const { clusters: all } = await clusters.listClusters({});
  const cluster = all.find((c) => c.name === "default")!;
  await clusters.updateCluster({
    id: cluster.id,
    spec: { ha: { enabled: true, admissionControl: ac } },
    updateMask: { paths: ["spec.ha"] },
  });
}

const tolerateOne = {
  policy: compute.AdmissionControlPolicy.TOLERATE_HOST_FAILURES,
  hostFailuresToTolerate: 1,
};

async function create(name: string, memoryGib: bigint, ha = true): Promise<compute.VirtualMachine> {
  const { vm } = await vms().createVM({
    projectId: h.projectId,
    name,
    spec: { vcpus: 1, memoryMib: memoryGib * GiB, ha: { enabled: ha } },
  });
  return vm!;
}

/** running starts a VM through the API and waits until its agent reports it RUNNING. */
async function running(id: string): Promise<compute.VirtualMachine> {
  await vms().startVM({ id });
  await eventually(async () =>
    expect((await vms().getVM({ id })).vm?.status?.powerState).toBe(compute.PowerState.RUNNING),
  );
  return (await vms().getVM({ id })).vm!;
}

const allocated = async (nodeId: string) =>
  (await h.adapters.repositories.nodes.get(nodeId)).status.allocated;
const usage = async () => (await h.services.projects.get(h.ctx, h.projectId)).status?.usage;

/** twoRunning starts a (6 GiB) and b (6 GiB), HA, one on each host: either host's failure leaves room for the other's VM. */
async function twoRunning(): Promise<[compute.VirtualMachine, compute.VirtualMachine]> {
  const a = await running((await create("a", 6n)).id);
  const b = await running((await create("b", 6n)).id);
  expect(new Set([a.status?.nodeId, b.status?.nodeId])).toEqual(new Set([n1, n2]));
  return [a, b];
}

describe("HA admission control on CreateVM, StartVM and UpdateVM", () => {
  it("refuses an HA VM whose creation leaves too little failover capacity, naming the policy, the cluster and the shortfall, and leaves nothing behind", async () => {
    await admission(tolerateOne);
    await twoRunning();
    const before = { n1: await allocated(n1), n2: await allocated(n2), usage: await usage() };

    const f = await expectCode(create("c", 6n), Code.FailedPrecondition);
    expect(f.message).toMatch(
      /^HA admission control \(tolerate-host-failures: 1\) of cluster "default": creating vm "c" leaves 6 GiB memory \/ 7 vCPU of failover capacity where 12 GiB memory \/ 2 vCPU is needed \(if 1 largest host\(s\) failed, vm "[ac]" could not restart/,
    );
    expect(f.details?.code).toBe("FailedPrecondition");
    expect(f.details?.resource).toMatchObject({ kind: "Cluster", name: "default" });
    expect(f.error.findDetails(rpc.ErrorInfoSchema)[0]?.metadata).toMatchObject({
      policy: "tolerate-host-failures",
      cluster: "default",
      shortfallMemoryMib: "6144",
      shortfallVcpus: "0",
    });
    const [violation] = f.error.findDetails(rpc.PreconditionFailureSchema)[0]?.violations ?? [];
    expect(violation).toMatchObject({ type: "HA_ADMISSION_CONTROL" });
    expect(violation?.subject).toMatch(/^clusters\//);

    // Nothing was stored, reserved or charged.
    expect((await vms().listVMs({ projectId: h.projectId })).vms.map((v) => v.name).sort()).toEqual([
      "a",
      "b",
    ]);
    expect(await allocated(n1)).toEqual(before.n1);
    expect(await allocated(n2)).toEqual(before.n2);
    expect(await usage()).toEqual(before.usage);

    // VMs without HA are not held to it: the host still has room for this one.
    await create("batch", 6n, false);
  });

  it("lets exactly one of two concurrent HA creates through when only one fits the reserve", async () => {
    await admission(tolerateOne);
    const a = await running((await create("a", 6n)).id);
    // Either 4 GiB VM alone leaves room for a host's VMs on the other; both would not.
    const results = await Promise.allSettled([create("c1", 4n), create("c2", 4n)]);
    const refused = results.filter((r) => r.status === "rejected");
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(String((refused[0] as PromiseRejectedResult).reason)).toMatch(/HA admission control/);
    expect(a.status?.nodeId).toBeDefined();
  });

  it("refuses to start an HA VM the reserve has no room for, and starts it once room is made", async () => {
    const [, b] = await twoRunning();
    const c = await create("c", 6n);
    await admission(tolerateOne);

    const f = await expectCode(vms().startVM({ id: c.id }), Code.FailedPrecondition);
    expect(f.message).toMatch(
      /^HA admission control \(tolerate-host-failures: 1\) of cluster "default": starting vm "c" leaves 6 GiB memory \/ 7 vCPU of failover capacity where 12 GiB memory \/ 2 vCPU is needed/,
    );
    const after = (await vms().getVM({ id: c.id })).vm!;
    expect(after.spec?.desiredPowerState).toBe(compute.DesiredPowerState.STOPPED);
    expect(after.resourceVersion).toBe(c.resourceVersion);

    // With b gone there is room again.
    await vms().stopVM({ id: b.id, mode: compute.StopMode.FORCE });
    await eventually(async () =>
      expect((await vms().getVM({ id: b.id })).vm?.status?.powerState).toBe(compute.PowerState.STOPPED),
    );
    await vms().deleteVM({ id: b.id });
    await running(c.id);
  });

  it("is not asked again of a VM already meant to run, nor under the disabled policy", async () => {
    const [a] = await twoRunning();
    const c = await create("c", 6n);
    await admission({ policy: compute.AdmissionControlPolicy.DISABLED });
    await vms().startVM({ id: c.id });
    await admission(tolerateOne);
    // a and c are meant to run already: asking again changes nothing and is not refused.
    await vms().startVM({ id: a.id });
    await vms().startVM({ id: c.id });
    // A VM without HA starts regardless of the reserve.
    const batch = await create("batch", 1n, false);
    await vms().startVM({ id: batch.id });
  });

  it("refuses to enable HA on a running VM when its failover does not fit, leaving the VM unchanged", async () => {
    await admission(tolerateOne);
    await twoRunning();
    const batch = await running((await create("batch", 6n, false)).id);

    const f = await expectCode(
      vms().updateVM({
        id: batch.id,
        spec: { ha: { enabled: true } },
        updateMask: { paths: ["spec.ha"] },
      }),
      Code.FailedPrecondition,
    );
    expect(f.message).toMatch(
      /^HA admission control \(tolerate-host-failures: 1\) of cluster "default": enabling HA on vm "batch"/,
    );
    const after = (await vms().getVM({ id: batch.id })).vm!;
    expect(after.spec?.ha?.enabled).toBe(false);
    expect(after.resourceVersion).toBe(batch.resourceVersion);
    // Changing something else on it is not held to admission control.
    await vms().updateVM({ id: batch.id, labels: { tier: "batch" } });
  });

  it("refuses to grow a stopped HA VM past what failover can hold, and grows it within it", async () => {
    await admission(tolerateOne);
    const a = await running((await create("a", 6n)).id);
    const b = await create("b", 2n);
    expect(b.status?.nodeId).not.toBe(a.status?.nodeId);
    const node = b.status!.nodeId;

    const f = await expectCode(
      vms().updateVM({ id: b.id, spec: { memoryMib: 8n * GiB }, updateMask: { paths: ["spec.memory_mib"] } }),
      Code.FailedPrecondition,
    );
    expect(f.message).toMatch(
      /resizing vm "b" leaves 6 GiB memory \/ 7 vCPU of failover capacity where 8 GiB memory \/ 1 vCPU is needed/,
    );
    const unchanged = (await vms().getVM({ id: b.id })).vm!;
    expect(unchanged.spec?.memoryMib).toBe(2n * GiB);
    expect((await allocated(node)).memoryMib).toBe(2048);

    const { vm: grown } = await vms().updateVM({
      id: b.id,
      spec: { memoryMib: 4n * GiB },
      updateMask: { paths: ["spec.memory_mib"] },
    });
    expect(grown?.spec?.memoryMib).toBe(4n * GiB);
    expect((await allocated(node)).memoryMib).toBe(4096);
  });

  it("keeps the configured share of the cluster free under reserve-percentage", async () => {
    await admission({
      policy: compute.AdmissionControlPolicy.RESERVE_PERCENTAGE,
      cpuReservePercent: 10,
      memoryReservePercent: 50,
    });
    // 24 GiB in the cluster, half of it reserved.
    await create("a", 8n);
    const f = await expectCode(create("b", 6n), Code.FailedPrecondition);
    expect(f.message).toMatch(
      /^HA admission control \(reserve-percentage: cpu 10%, memory 50%\) of cluster "default": creating vm "b" leaves 10 GiB memory \/ 14 vCPU free where the policy reserves 12 GiB memory \/ 2 vCPU \(41\.7% of cluster memory would stay free; the policy reserves 50%\)/,
    );
    await create("b", 4n);
  });

  it("reads the policies once for many creates, and again after a cluster changes", async () => {
    await admission(tolerateOne);
    const repo = h.services.deps.repos.clusters;
    const list = vi.spyOn(repo, "list");
    try {
      await create("a", 1n);
      await Promise.all([create("b", 1n), create("c", 1n), create("d", 1n)]);
      await create("e", 1n);
      expect(list.mock.calls.length).toBeLessThanOrEqual(1);
      await admission({ policy: compute.AdmissionControlPolicy.DISABLED });
      const before = list.mock.calls.length;
      await create("f", 1n);
      expect(list.mock.calls.length).toBe(before + 1);
    } finally {
      list.mockRestore();
    }
  });

  it("follows a policy written past this replica's API (as another replica writes it) once the change log brings it", async () => {
    await admission({ policy: compute.AdmissionControlPolicy.DISABLED });
    await twoRunning();
    await create("c", 6n); // read and kept: disabled
    const repo = h.services.deps.repos.clusters;
    const cluster = (await repo.list({})).items.find((c) => c.name === "default")!;
    await repo.update({
      ...cluster,
      spec: {
        ...cluster.spec,
        ha: {
          ...cluster.spec.ha,
          enabled: true,
          admissionControl: {
            ...cluster.spec.ha.admissionControl,
            policy: "tolerate-host-failures",
            hostFailuresToTolerate: 1,
          },
        },
      },
    });
    await eventually(async () => {
      await expectCode(create(`d${Math.random().toString(36).slice(2, 8)}`, 6n), Code.FailedPrecondition);
    });
  });

  it("holds nobody to it while the cluster's HA is off", async () => {
    await twoRunning();
    const clusters = h.client(compute.ClusterService);
    const cluster = (await clusters.listClusters({})).clusters.find((c) => c.name === "default")!;
    await clusters.updateCluster({
      id: cluster.id,
      spec: { ha: { enabled: false, admissionControl: tolerateOne } },
      updateMask: { paths: ["spec.ha"] },
    });
    await running((await create("c", 6n)).id);
  });
});
