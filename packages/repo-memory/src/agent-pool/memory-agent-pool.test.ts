import { type AgentEvent, hasErrorCode, type MigrationProgress } from "@limiquantix/domain";
import { describe, expect, it } from "vitest";
import { MemoryAgentPool } from "./memory-agent-pool";

const code = (c: string) => (e: unknown) => hasErrorCode(e, c as never);
const definition = (vmId: string) => ({ vmId, name: vmId, vcpus: 2, memoryMib: 2048, disks: [], nics: [] });

async function pool() {
  const p = new MemoryAgentPool();
  await p.connect({ nodeId: "n1", address: "10.0.0.1:7443" });
  await p.connect({ nodeId: "n2", address: "10.0.0.2:7443" });
  return p;
}

describe("MemoryAgentPool", () => {
  it("reports node info and health of a connected node; an unknown node is NotFound", async () => {
    const p = await pool();
    const info = await p.agent("n1").getNodeInfo();
    expect(info).toMatchObject({ nodeId: "n1", managementIp: "10.0.0.1", memoryMib: 65_536 });
    expect(await p.agent("n1").healthCheck()).toEqual({ healthy: true, message: "ok" });
    expect(p.has("n1")).toBe(true);
    expect(() => p.agent("n9")).toThrow(/not found/);
    await expect(p.connect({ nodeId: "n3", address: "no-port" })).rejects.toSatisfy(code("InvalidArgument"));
  });

  it("drives a VM through its power states and streams each change", async () => {
    const p = await pool();
    const agent = p.agent("n1");
    const events: AgentEvent[] = [];
    await agent.streamEvents((e) => events.push(e));
    expect((await agent.createVm(definition("vm1"))).powerState).toBe("STOPPED");
    expect((await agent.startVm("vm1")).powerState).toBe("RUNNING");
    expect((await agent.startVm("vm1")).powerState).toBe("RUNNING");
    expect((await agent.pauseVm("vm1")).powerState).toBe("PAUSED");
    expect((await agent.resumeVm("vm1")).powerState).toBe("RUNNING");
    expect((await agent.suspendVm("vm1")).powerState).toBe("SUSPENDED");
    expect((await agent.resumeVm("vm1")).powerState).toBe("RUNNING");
    expect((await agent.rebootVm("vm1")).powerState).toBe("RUNNING");
    expect((await agent.stopVm("vm1", { mode: "graceful" })).powerState).toBe("STOPPED");
    await agent.deleteVm("vm1");
    await expect(agent.getVmStatus("vm1")).rejects.toSatisfy(code("NotFound"));
    const states = events.flatMap((e) => (e.type === "vm-state" ? [e.powerState] : []));
    expect(states).toEqual([
      "STOPPED",
      "STARTING",
      "RUNNING",
      "PAUSED",
      "RUNNING",
      "SUSPENDED",
      "RUNNING",
      "STARTING",
      "RUNNING",
      "STOPPING",
      "STOPPED",
      "DELETING",
    ]);
  });

  it("refuses an illegal transition with FailedPrecondition and leaves the VM as it was", async () => {
    const agent = (await pool()).agent("n1");
    await agent.createVm(definition("vm1"));
    await expect(agent.pauseVm("vm1")).rejects.toSatisfy(code("FailedPrecondition"));
    await expect(agent.rebootVm("vm1")).rejects.toSatisfy(code("FailedPrecondition"));
    await agent.startVm("vm1");
    await expect(agent.deleteVm("vm1")).rejects.toSatisfy(code("FailedPrecondition"));
    await agent.pauseVm("vm1");
    await expect(agent.startVm("vm1")).rejects.toSatisfy(code("FailedPrecondition"));
    expect((await agent.getVmStatus("vm1")).powerState).toBe("PAUSED");
    await expect(agent.createVm(definition("vm1"))).rejects.toSatisfy(code("AlreadyExists"));
  });

  it("an unreachable agent fails every call with Unavailable until it is reachable again", async () => {
    const p = await pool();
    await p.agent("n1").createVm(definition("vm1"));
    p.host("n1").setReachable(false);
    await expect(p.agent("n1").healthCheck()).rejects.toSatisfy(code("Unavailable"));
    await expect(p.agent("n1").startVm("vm1")).rejects.toSatisfy(code("Unavailable"));
    p.host("n1").setReachable(true);
    expect((await p.agent("n1").startVm("vm1")).powerState).toBe("RUNNING");
  });

  it("migrates a running VM to another node with progress, and it keeps running there", async () => {
    const p = await pool();
    await p.agent("n1").createVm(definition("vm1"));
    await p.agent("n1").startVm("vm1");
    const progress: MigrationProgress[] = [];
    await p
      .agent("n1")
      .migrateVm("vm1", { nodeId: "n2", address: "10.0.0.2:7443" }, { onProgress: (x) => progress.push(x) });
    expect(progress.map((x) => x.phase)).toEqual(["PREPARING", "TRANSFERRING", "SWITCHING", "COMPLETED"]);
    await expect(p.agent("n1").getVmStatus("vm1")).rejects.toSatisfy(code("NotFound"));
    expect((await p.agent("n2").getVmStatus("vm1")).powerState).toBe("RUNNING");
  });

  it("an aborted migration leaves the VM running on its source", async () => {
    const p = await pool();
    await p.agent("n1").createVm(definition("vm1"));
    await p.agent("n1").startVm("vm1");
    const controller = new AbortController();
    const migration = p.agent("n1").migrateVm(
      "vm1",
      { nodeId: "n2", address: "x:1" },
      {
        signal: controller.signal,
        onProgress: (x) => {
          if (x.phase === "TRANSFERRING") controller.abort();
        },
      },
    );
    await expect(migration).rejects.toSatisfy(code("Unavailable"));
    expect((await p.agent("n1").getVmStatus("vm1")).powerState).toBe("RUNNING");
    await expect(p.agent("n2").getVmStatus("vm1")).rejects.toSatisfy(code("NotFound"));
  });

  it("keeps snapshots and disks; reverting a memory snapshot of a running VM runs it", async () => {
    const agent = (await pool()).agent("n1");
    await agent.createVm(definition("vm1"));
    await agent.startVm("vm1");
    await agent.createSnapshot("vm1", { id: "s1", name: "before", includeMemory: true });
    await expect(
      agent.createSnapshot("vm1", { id: "s1", name: "again", includeMemory: false }),
    ).rejects.toSatisfy(code("AlreadyExists"));
    await agent.stopVm("vm1", { mode: "force" });
    expect((await agent.revertSnapshot("vm1", "s1")).powerState).toBe("RUNNING");
    await agent.deleteSnapshot("vm1", "s1");
    await expect(agent.revertSnapshot("vm1", "s1")).rejects.toSatisfy(code("NotFound"));
    await agent.attachDisk("vm1", { name: "data", volumeId: "vol1", sizeGib: 10, bus: "virtio" });
    await expect(
      agent.attachDisk("vm1", { name: "data", volumeId: "vol2", sizeGib: 1, bus: "virtio" }),
    ).rejects.toSatisfy(code("AlreadyExists"));
    await agent.detachDisk("vm1", "data");
    await expect(agent.detachDisk("vm1", "data")).rejects.toSatisfy(code("NotFound"));
  });

  it("a disconnected node's agent is NotFound; reconnecting finds its VMs still there", async () => {
    const p = await pool();
    await p.agent("n1").createVm(definition("vm1"));
    await p.disconnect("n1");
    expect(p.has("n1")).toBe(false);
    expect(() => p.agent("n1")).toThrow();
    await p.connect({ nodeId: "n1", address: "10.0.0.9:7443" });
    expect((await p.agent("n1").listVms()).map((v) => v.vmId)).toEqual(["vm1"]);
    expect((await p.agent("n1").getNodeInfo()).managementIp).toBe("10.0.0.9");
    await p.close();
    expect(p.has("n2")).toBe(false);
  });
});
