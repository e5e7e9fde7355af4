import {
  type AgentEvent,
  type DomainError,
  isDomainError,
  type MigrationProgress,
} from "@limiquantix/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPki, issueCertificate, issueCertificateAuthority, type TestPki } from "../certs/test-pki";
import { type SimAgent, startSimAgent } from "../sim/sim-agent";
import { waitFor } from "../test-support";
import { AgentClientPool, bindAgentPool } from "./agent-client-pool";

let pki: TestPki;
const agents: SimAgent[] = [];
const pools: AgentClientPool[] = [];

async function sim(nodeId: string, cpu = 8, memoryMib = 8192): Promise<SimAgent> {
  const a = await startSimAgent({
    nodeId,
    cpu,
    memoryMib,
    tls: pki.nodeCertificate(nodeId),
    port: 0,
    bootDelayMs: 5,
    migrationStepMs: 2,
  });
  agents.push(a);
  return a;
}

function pool(overrides: Partial<ConstructorParameters<typeof AgentClientPool>[0]> = {}): AgentClientPool {
  const p = new AgentClientPool({
    tls: { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key },
    callTimeoutMs: 2000,
    retry: { attempts: 2, baseDelayMs: 5 },
    ...overrides,
  });
  pools.push(p);
  return p;
}

async function failure(run: () => Promise<unknown>): Promise<DomainError> {
  try {
    await run();
  } catch (e) {
    if (isDomainError(e)) return e;
    throw new Error(`expected a DomainError, got ${String(e)}`);
  }
  throw new Error("expected the call to fail");
}

const vm = (vmId: string, vcpus = 2, memoryMib = 1024) => ({
  vmId,
  name: vmId,
  vcpus,
  memoryMib,
  disks: [],
  nics: [],
});

beforeAll(() => {
  pki = createTestPki();
});

afterAll(async () => {
  await Promise.all(pools.map((p) => p.close()));
  await Promise.all(agents.map((a) => a.stop()));
});

describe("AgentClientPool against simulated agents over mutual TLS", () => {
  it("carries every agent operation", async () => {
    const a = await sim("node-a");
    const p = pool();
    await p.connect({ nodeId: "node-a", address: a.address, serverName: "node-a" });
    const agent = p.agent("node-a");

    expect(await agent.getNodeInfo()).toMatchObject({
      nodeId: "node-a",
      memoryMib: 8192,
      cpu: { coresPerSocket: 8 },
    });
    expect((await agent.healthCheck()).healthy).toBe(true);
    const events: AgentEvent[] = [];
    const sub = await agent.streamEvents((e) => events.push(e));
    expect(events.some((e) => e.type === "node-metrics")).toBe(true);

    expect((await agent.createVm(vm("vm-1"))).powerState).toBe("STOPPED");
    expect((await agent.startVm("vm-1")).powerState).toBe("STARTING");
    await waitFor(async () => expect((await agent.getVmStatus("vm-1")).powerState).toBe("RUNNING"), "boot");
    await waitFor(
      () => expect(events.some((e) => e.type === "vm-state" && e.powerState === "RUNNING")).toBe(true),
      "event",
    );

    expect((await agent.pauseVm("vm-1")).powerState).toBe("PAUSED");
    expect((await agent.resumeVm("vm-1")).powerState).toBe("RUNNING");
    expect((await agent.rebootVm("vm-1")).powerState).toBe("STARTING");
    await waitFor(async () => expect((await agent.getVmStatus("vm-1")).powerState).toBe("RUNNING"), "reboot");
    expect((await agent.suspendVm("vm-1")).powerState).toBe("SUSPENDED");
    expect((await agent.resumeVm("vm-1")).powerState).toBe("RUNNING");

    await agent.attachDisk("vm-1", { name: "data", volumeId: "vol-1", sizeGib: 10, bus: "virtio" });
    await agent.createSnapshot("vm-1", { id: "snap-1", name: "before", includeMemory: false });
    await agent.detachDisk("vm-1", "data");
    expect((await agent.revertSnapshot("vm-1", "snap-1")).powerState).toBe("STOPPED");
    expect(a.hypervisor.definition("vm-1").disks.map((d) => d.name)).toEqual(["data"]);
    await agent.deleteSnapshot("vm-1", "snap-1");

    await agent.startVm("vm-1");
    await waitFor(async () => expect((await agent.getVmStatus("vm-1")).powerState).toBe("RUNNING"), "boot");
    expect((await agent.stopVm("vm-1", { mode: "graceful", timeoutSec: 30 })).powerState).toBe("STOPPING");
    await waitFor(
      async () => expect((await agent.getVmStatus("vm-1")).powerState).toBe("STOPPED"),
      "shutdown",
    );
    await agent.startVm("vm-1");
    expect((await agent.stopVm("vm-1", { mode: "force" })).powerState).toBe("STOPPED");

    expect((await agent.listVms()).map((s) => s.vmId)).toEqual(["vm-1"]);
    await agent.deleteVm("vm-1");
    expect(await agent.listVms()).toEqual([]);
    await sub.unsubscribe();
  });

  it("maps agent refusals to domain codes: NotFound, FailedPrecondition, ResourceExhausted, InvalidArgument", async () => {
    const a = await sim("node-b", 2, 2048);
    const p = pool();
    await p.connect({ nodeId: "node-b", address: a.address, serverName: "node-b" });
    const agent = p.agent("node-b");
    expect((await failure(() => agent.startVm("missing"))).code).toBe("NotFound");
    await agent.createVm(vm("vm-1", 1, 1024));
    expect((await failure(() => agent.pauseVm("vm-1"))).code).toBe("FailedPrecondition");
    expect((await failure(() => agent.createVm(vm("vm-2", 2, 1024)))).code).toBe("ResourceExhausted");
    const bad = await failure(() => agent.createVm({ ...vm("vm-3"), name: "Not A Label", memoryMib: 128 }));
    expect(bad.code).toBe("InvalidArgument");
    expect(bad.message).toMatch(/definition\.name/);
    expect(bad.details.fieldViolations?.map((v) => v.field)).toEqual([
      "definition.name",
      "definition.memoryMib",
    ]);
    expect(p.circuitState("node-b")).toBe("CLOSED");
  });

  it("is refused by an agent when its client certificate comes from another CA", async () => {
    const a = await sim("node-c");
    const rogueCa = issueCertificateAuthority("rogue");
    const rogue = issueCertificate(rogueCa, { commonName: "intruder", usage: "client" });
    const p = pool({ tls: { ca: pki.ca.cert, cert: rogue.cert, key: rogue.key }, retry: { attempts: 1 } });
    await p.connect({ nodeId: "node-c", address: a.address, serverName: "node-c" });
    expect((await failure(() => p.agent("node-c").healthCheck())).code).toBe("Unavailable");
    const good = pool();
    await good.connect({ nodeId: "node-c", address: a.address, serverName: "node-c" });
    expect((await good.agent("node-c").healthCheck()).healthy).toBe(true);
  });

  it("refuses an agent whose certificate does not name the expected node", async () => {
    const a = await sim("node-d");
    const p = pool({ retry: { attempts: 1 } });
    await p.connect({ nodeId: "node-x", address: a.address, serverName: "node-x" });
    expect((await failure(() => p.agent("node-x").healthCheck())).code).toBe("Unavailable");
  });

  it("opens the breaker on a dead agent, fails fast while open, and closes after recovery", async () => {
    const a = await sim("node-e");
    const p = pool({ breaker: { failureThreshold: 2, coolDownMs: 50 }, retry: { attempts: 1 } });
    await p.connect({ nodeId: "node-e", address: a.address, serverName: "node-e" });
    const agent = p.agent("node-e");
    expect((await agent.healthCheck()).healthy).toBe(true);
    await a.crash();
    expect((await failure(() => agent.healthCheck())).code).toBe("Unavailable");
    expect((await failure(() => agent.listVms())).code).toBe("Unavailable");
    expect(p.circuitState("node-e")).toBe("OPEN");
    const fast = await failure(() => agent.healthCheck());
    expect(fast.code).toBe("Unavailable");
    expect(fast.message).toMatch(/circuit/);
    await a.restart();
    await waitFor(async () => expect((await agent.healthCheck()).healthy).toBe(true), "recovery");
    expect(p.circuitState("node-e")).toBe("CLOSED");
  });

  it("gives up on a partitioned agent at the call deadline with Unavailable, and works again once healed", async () => {
    const a = await sim("node-f");
    const p = pool({ callTimeoutMs: 200, retry: { attempts: 1 } });
    await p.connect({ nodeId: "node-f", address: a.address, serverName: "node-f" });
    a.partition();
    expect((await failure(() => p.agent("node-f").healthCheck())).code).toBe("Unavailable");
    a.heal();
    expect((await p.agent("node-f").healthCheck()).healthy).toBe(true);
  });

  it("retries an idempotent call through an injected outage, but never a call that changes state", async () => {
    const a = await sim("node-g");
    const p = pool({ retry: { attempts: 3, baseDelayMs: 1 } });
    await p.connect({ nodeId: "node-g", address: a.address, serverName: "node-g" });
    a.faults.injectError({ code: "Unavailable", times: 2 });
    expect(await p.agent("node-g").listVms()).toEqual([]);
    a.faults.injectError({ code: "Unavailable", times: 1 });
    expect((await failure(() => p.agent("node-g").createVm(vm("vm-1")))).code).toBe("Unavailable");
    expect(a.hypervisor.list()).toEqual([]);
  });

  it("live-migrates a VM between two agents, streaming progress, ending on the target and gone from the source", async () => {
    const source = await sim("node-src");
    const target = await sim("node-dst");
    const p = pool();
    await p.connect({ nodeId: "node-src", address: source.address, serverName: "node-src" });
    await p.connect({ nodeId: "node-dst", address: target.address, serverName: "node-dst" });
    const agent = p.agent("node-src");
    await agent.createVm(vm("vm-m"));
    await agent.startVm("vm-m");
    await waitFor(async () => expect((await agent.getVmStatus("vm-m")).powerState).toBe("RUNNING"), "boot");

    const seen: MigrationProgress[] = [];
    await agent.migrateVm(
      "vm-m",
      { nodeId: "node-dst", address: target.address },
      { live: true, onProgress: (x) => seen.push(x) },
    );

    expect(seen.map((x) => x.phase)).toEqual([
      "PREPARING",
      "TRANSFERRING",
      "TRANSFERRING",
      "TRANSFERRING",
      "SWITCHING",
      "COMPLETED",
    ]);
    expect(seen.map((x) => x.percent)).toEqual([...seen.map((x) => x.percent)].sort((x, y) => x - y));
    expect((await p.agent("node-dst").getVmStatus("vm-m")).powerState).toBe("RUNNING");
    expect((await failure(() => agent.getVmStatus("vm-m"))).code).toBe("NotFound");
  });

  it("keeps the VM on the source when the target has no room", async () => {
    const source = await sim("node-s2");
    const target = await sim("node-t2", 1, 1024);
    const p = pool();
    await p.connect({ nodeId: "node-s2", address: source.address, serverName: "node-s2" });
    const agent = p.agent("node-s2");
    await agent.createVm(vm("vm-big", 4, 4096));
    await agent.startVm("vm-big");
    await waitFor(async () => expect((await agent.getVmStatus("vm-big")).powerState).toBe("RUNNING"), "boot");
    const err = await failure(() =>
      agent.migrateVm("vm-big", { nodeId: "node-t2", address: target.address }),
    );
    expect(err.code).toBe("ResourceExhausted");
    expect((await agent.getVmStatus("vm-big")).powerState).toBe("RUNNING");
    expect(target.hypervisor.list()).toEqual([]);
  });

  it("throws NotFound for a node it holds no connection to, and binds itself as the AgentPool port", async () => {
    const p = pool();
    expect(() => p.agent("nobody")).toThrow(/not found/);
    const bound = new Map<symbol, unknown>();
    bindAgentPool({ bind: (id, value) => void bound.set(id, value) }, p);
    expect([...bound.values()]).toEqual([p]);
    await expect(p.connect({ nodeId: "n", address: "no-port" })).rejects.toMatchObject({
      code: "InvalidArgument",
    });
  });
});
