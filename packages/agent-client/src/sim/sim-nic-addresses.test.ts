import type { AgentNicConfig, AgentVmDefinition } from "@limiquantix/domain";
import { agentNicConfig } from "@limiquantix/domain";
import { afterEach, describe, expect, it } from "vitest";
import { AgentClientPool } from "../client/agent-client-pool";
import { waitFor } from "../test-support";
import { createInProcessSimAgent, type InProcessSimAgent } from "./sim-agent";

const web: AgentNicConfig = {
  name: "eth0",
  networkId: "net-a",
  macAddress: "02:11:22:33:44:55",
  ipAddress: "10.20.0.5",
  prefixLength: 24,
  gateway: "10.20.0.1",
  vlanId: 120,
  securityGroupIds: ["sg-web"],
  securityRules: [
    {
      groupId: "sg-web",
      id: "https",
      direction: "INGRESS",
      protocol: "TCP",
      portRange: { from: 443, to: 443 },
      cidr: "0.0.0.0/0",
      action: "ALLOW",
      priority: 100,
    },
    {
      groupId: "sg-web",
      id: "ping",
      direction: "INGRESS",
      protocol: "ICMP",
      cidr: "10.0.0.0/8",
      action: "DENY",
      priority: 200,
    },
  ],
};

function definition(vmId: string, nics: AgentNicConfig[]): AgentVmDefinition {
  return { vmId, name: vmId, vcpus: 1, memoryMib: 512, disks: [], nics };
}

const agents: InProcessSimAgent[] = [];
const pools: AgentClientPool[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) a.stop();
  for (const p of pools.splice(0)) await p.close();
});

async function connected(...nodeIds: string[]) {
  const pool = new AgentClientPool({ tls: { ca: "", cert: "", key: "" }, retry: { attempts: 1 } });
  pools.push(pool);
  const sims = [];
  for (const nodeId of nodeIds) {
    const sim = createInProcessSimAgent({
      nodeId,
      cpu: 4,
      memoryMib: 4096,
      bootDelayMs: 1,
      migrationStepMs: 1,
    });
    agents.push(sim);
    await pool.connectTransport({ nodeId, address: sim.address }, sim.transport);
    sims.push(sim);
  }
  return { pool, sims };
}

describe("NIC addresses on the simulated agent", () => {
  it("receives each NIC's address, MAC, VLAN and security rules, and reports the given address once the VM runs", async () => {
    const { pool, sims } = await connected("nic-a");
    const agent = pool.agent("nic-a");
    await agent.createVm(definition("vm-1", [web, { name: "eth1", networkId: "net-b" }]));
    const held = sims[0]!.hypervisor.definition("vm-1").nics.map(agentNicConfig);
    expect(held[0]).toEqual(web);
    expect(held[1]).toEqual({ name: "eth1", networkId: "net-b" });

    await agent.startVm("vm-1");
    await waitFor(async () => expect((await agent.getVmStatus("vm-1")).powerState).toBe("RUNNING"), "boot");
    const { ipAddresses } = await agent.getVmStatus("vm-1");
    // The NIC without an address gets one of the host's own pool.
    expect(ipAddresses[0]).toBe("10.20.0.5");
    expect(ipAddresses[1]).toMatch(/^10\.77\./);
  });

  it("keeps a VM's given addresses when it migrates", async () => {
    const { pool, sims } = await connected("mig-a", "mig-b");
    const agent = pool.agent("mig-a");
    await agent.createVm(definition("vm-2", [web]));
    await agent.startVm("vm-2");
    await waitFor(async () => expect((await agent.getVmStatus("vm-2")).powerState).toBe("RUNNING"), "boot");
    await agent.migrateVm("vm-2", { nodeId: "mig-b", address: sims[1]!.address });
    expect(sims[1]!.hypervisor.status("vm-2").ipAddresses).toEqual(["10.20.0.5"]);
  });

  it("refuses a NIC whose address, VLAN or rules are malformed, naming each field", async () => {
    const { pool } = await connected("bad-a");
    const bad: AgentNicConfig = {
      ...web,
      ipAddress: "10.20.0.300",
      vlanId: 5000,
      securityRules: [{ ...web.securityRules![0]!, protocol: "ICMP", cidr: "10.0.0.1/8" }],
    };
    const err = await pool
      .agent("bad-a")
      .createVm(definition("vm-3", [bad]))
      .then(
        () => undefined,
        (e: unknown) => e as { code: string; message: string },
      );
    expect(err?.code).toBe("InvalidArgument");
    expect(err?.message).toContain("definition.nics[0].ipAddress must be an IPv4 address");
    expect(err?.message).toContain("definition.nics[0].vlanId must be between 1 and 4094");
    expect(err?.message).toContain(
      "definition.nics[0].securityRules[0].portFrom must be 0 unless the protocol is TCP or UDP",
    );
  });
});
