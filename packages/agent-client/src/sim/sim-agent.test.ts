import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestPki, type TestPki } from "../certs/test-pki";
import { AgentClientPool } from "../client/agent-client-pool";
import { DiskBus, VmDefinitionSchema } from "../gen/limiquantix/agent/v1/agent_pb";
import { NodeAgentService } from "../gen/limiquantix/agent/v1/node_agent_service_pb";
import { waitFor } from "../test-support";
import { createInProcessSimAgent, type SimAgent, startSimAgent } from "./sim-agent";

let pki: TestPki;
let agent: SimAgent;
let session: Http2SessionManager;

async function code(run: () => Promise<unknown>): Promise<{ code: Code; message: string }> {
  try {
    await run();
  } catch (e) {
    const ce = ConnectError.from(e);
    return { code: ce.code, message: ce.rawMessage };
  }
  throw new Error("expected the call to fail");
}

beforeAll(async () => {
  pki = createTestPki();
  agent = await startSimAgent({
    nodeId: "node-r",
    cpu: 4,
    memoryMib: 4096,
    tls: pki.nodeCertificate("node-r"),
    port: 0,
    bootDelayMs: 5,
  });
  session = new Http2SessionManager(
    `https://${agent.address}`,
    {},
    {
      ca: pki.ca.cert,
      cert: pki.client.cert,
      key: pki.client.key,
      servername: "node-r",
    },
  );
});

afterAll(async () => {
  session.abort();
  await agent.stop();
});

describe("simulated agent over HTTP/2 and mutual TLS", () => {
  it("answers bad requests with InvalidArgument naming the field, and keeps serving", async () => {
    const client = createClient(
      NodeAgentService,
      createGrpcTransport({ baseUrl: `https://${agent.address}`, sessionManager: session }),
    );
    const bad = create(VmDefinitionSchema, { vmId: "", name: "x", vcpus: 0, memoryMib: 100n });
    const cases: [string, () => Promise<unknown>, RegExp][] = [
      ["no definition", () => client.createVM({}), /definition is required/],
      [
        "broken definition",
        () => client.createVM({ definition: bad }),
        /definition\.vmId is required; definition\.vcpus/,
      ],
      ["empty vm id", () => client.startVM({ vmId: "" }), /vmId is required/],
      ["vm id with spaces", () => client.getVMStatus({ vmId: "a b" }), /vmId must be an id/],
      [
        "stop timeout too long",
        () => client.stopVM({ vmId: "vm-1", timeoutSec: 99_999 }),
        /timeoutSec must be between 0 and 3600/,
      ],
      [
        "disk without bus",
        () => client.attachDisk({ vmId: "vm-1", disk: { name: "d", volumeId: "v", bus: 42 as DiskBus } }),
        /disk\.bus/,
      ],
      ["no disk", () => client.attachDisk({ vmId: "vm-1" }), /disk is required/],
      [
        "snapshot without id",
        () => client.createSnapshot({ vmId: "vm-1", name: "s" }),
        /snapshotId is required/,
      ],
      [
        "migration to itself",
        () => drain(client.migrateVM({ vmId: "vm-1", targetNodeId: "node-r", targetAddress: "x:1" })),
        /targetNodeId must name another node/,
      ],
      [
        "migration without target",
        () => drain(client.migrateVM({ vmId: "vm-1" })),
        /targetNodeId is required/,
      ],
    ];
    for (const [what, run, message] of cases) {
      const result = await code(run);
      expect(result.code, what).toBe(Code.InvalidArgument);
      expect(result.message, what).toMatch(message);
    }
    expect((await client.healthCheck({})).healthy).toBe(true);
    expect(DiskBus.VIRTIO).toBe(1);
  });

  it("refuses a client that shows no certificate at all", async () => {
    const bare = new Http2SessionManager(
      `https://${agent.address}`,
      {},
      { ca: pki.ca.cert, servername: "node-r" },
    );
    const client = createClient(
      NodeAgentService,
      createGrpcTransport({ baseUrl: `https://${agent.address}`, sessionManager: bare }),
    );
    await expect(client.healthCheck({}, { timeoutMs: 2000 })).rejects.toBeInstanceOf(ConnectError);
    bare.abort();
  });

  it("cuts connections while partitioned in drop mode and serves again once healed", async () => {
    const pool = new AgentClientPool({
      tls: { ca: pki.ca.cert, cert: pki.client.cert, key: pki.client.key },
      retry: { attempts: 1 },
      callTimeoutMs: 1000,
    });
    await pool.connect({ nodeId: "node-r", address: agent.address, serverName: "node-r" });
    agent.partition("drop");
    await expect(pool.agent("node-r").healthCheck()).rejects.toMatchObject({ code: "Unavailable" });
    agent.heal();
    await waitFor(async () => expect((await pool.agent("node-r").healthCheck()).healthy).toBe(true), "heal");
    await pool.close();
  });
});

describe("in-process simulated agent", () => {
  it("serves the pool without sockets and migrates to another in-process agent", async () => {
    const a = createInProcessSimAgent({
      nodeId: "ip-a",
      cpu: 4,
      memoryMib: 4096,
      bootDelayMs: 1,
      migrationStepMs: 1,
    });
    const b = createInProcessSimAgent({
      nodeId: "ip-b",
      cpu: 4,
      memoryMib: 4096,
      bootDelayMs: 1,
      migrationStepMs: 1,
    });
    const pool = new AgentClientPool({ tls: { ca: "", cert: "", key: "" } });
    await pool.connectTransport({ nodeId: "ip-a", address: a.address }, a.transport);
    const agent = pool.agent("ip-a");
    await agent.createVm({ vmId: "vm-1", name: "vm-1", vcpus: 1, memoryMib: 512, disks: [], nics: [] });
    await agent.startVm("vm-1");
    await waitFor(async () => expect((await agent.getVmStatus("vm-1")).powerState).toBe("RUNNING"), "boot");
    await agent.createSnapshot("vm-1", { id: "snap-1", name: "before", includeMemory: true });
    await agent.migrateVm("vm-1", { nodeId: "ip-b", address: b.address });
    expect(b.hypervisor.status("vm-1").powerState).toBe("RUNNING");
    // Snapshots move with the VM: the target can revert to one taken on the source.
    expect(b.hypervisor.revertSnapshot("vm-1", "snap-1").powerState).toBe("RUNNING");
    expect(a.hypervisor.list()).toEqual([]);
    a.faults.injectError({ code: "FailedPrecondition", methods: ["ListVMs"], times: 1 });
    await expect(agent.listVms()).rejects.toMatchObject({ code: "FailedPrecondition" });
    expect(await agent.listVms()).toEqual([]);
    a.stop();
    b.stop();
    await pool.close();
  });

  it("a migration whose caller leaves during the switch-over leaves the VM running on exactly one node", async () => {
    for (let round = 0; round < 10; round++) {
      const make = (nodeId: string) =>
        createInProcessSimAgent({ nodeId, cpu: 4, memoryMib: 4096, bootDelayMs: 1, migrationStepMs: 1 });
      const a = make(`sw-a${round}`);
      const b = make(`sw-b${round}`);
      const pool = new AgentClientPool({ tls: { ca: "", cert: "", key: "" } });
      await pool.connectTransport({ nodeId: a.nodeId, address: a.address }, a.transport);
      const agent = pool.agent(a.nodeId);
      await agent.createVm({ vmId: "vm-1", name: "vm-1", vcpus: 1, memoryMib: 512, disks: [], nics: [] });
      await agent.startVm("vm-1");
      await waitFor(async () => expect((await agent.getVmStatus("vm-1")).powerState).toBe("RUNNING"), "boot");
      const leaving = new AbortController();
      await agent
        .migrateVm(
          "vm-1",
          { nodeId: b.nodeId, address: b.address },
          {
            signal: leaving.signal,
            onProgress: (p) => {
              if (p.phase === "SWITCHING") leaving.abort();
            },
          },
        )
        .catch(() => undefined);
      const states = () =>
        [a, b].flatMap((x) =>
          x.hypervisor
            .list()
            .filter((v) => v.vmId === "vm-1")
            .map((v) => v.powerState),
        );
      await waitFor(async () => expect(states()).toEqual(["RUNNING"]), "one copy, running");
      a.stop();
      b.stop();
      await pool.close();
    }
  });

  it("reports each running VM's CPU, memory and disk use over the wire, as the guest's load is set", async () => {
    const a = createInProcessSimAgent({ nodeId: "load-a", cpu: 4, memoryMib: 4096, bootDelayMs: 1 });
    const pool = new AgentClientPool({ tls: { ca: "", cert: "", key: "" } });
    await pool.connectTransport({ nodeId: "load-a", address: a.address }, a.transport);
    const agent = pool.agent("load-a");
    const disks = [{ name: "root", volumeId: "vol-1", sizeGib: 20, bus: "virtio" as const }];
    await agent.createVm({ vmId: "vm-1", name: "vm-1", vcpus: 1, memoryMib: 1024, disks, nics: [] });
    await agent.createVm({ vmId: "vm-2", name: "vm-2", vcpus: 1, memoryMib: 1024, disks: [], nics: [] });
    expect(await agent.getVmStatus("vm-1")).not.toHaveProperty("cpuPercent");
    await agent.startVm("vm-1");
    await agent.startVm("vm-2");
    await waitFor(async () => expect((await agent.getVmStatus("vm-2")).powerState).toBe("RUNNING"), "boot");
    a.hypervisor.setVmLoad("vm-1", { cpuPercent: 97.5, memoryPercent: 75, diskPercent: 40 });
    expect(await agent.listVms()).toEqual([
      expect.objectContaining({
        vmId: "vm-1",
        cpuPercent: 97.5,
        memoryUsedMib: 768,
        diskUsedGib: 8,
        diskCapacityGib: 20,
      }),
      // No disks: no disk figures, rather than a made-up zero.
      expect.not.objectContaining({ diskUsedGib: expect.anything() }),
    ]);
    expect(await agent.getVmStatus("vm-2")).toMatchObject({ cpuPercent: 5, memoryUsedMib: 512 });
    expect(() => a.hypervisor.setVmLoad("vm-1", { cpuPercent: 120 })).toThrow(
      /cpuPercent must be between 0 and 100/,
    );
    a.stop();
    await pool.close();
  });
});

async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of stream) {
    // Only the error matters here.
  }
}
