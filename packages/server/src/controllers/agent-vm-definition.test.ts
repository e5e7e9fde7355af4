import { AgentClientPool } from "@limiquantix/agent-client";
import { createInProcessSimAgent } from "@limiquantix/agent-client/sim";
import { agentNicConfig } from "@limiquantix/domain";
import { eventually } from "@limiquantix/domain/conformance";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type MemoryServices, startMemoryServices } from "../testing/memory-services";
import { agentDefinitionOf } from "./agent-vm-definition";

let env: MemoryServices;
beforeEach(async () => {
  env = await startMemoryServices();
  await env.registerNode("n1", 8, 32_768);
});
afterEach(async () => {
  await env.close();
});

async function scene() {
  const vlan = await env.services.networks.createNetwork(env.ctx, {
    name: "prod",
    projectId: env.projectId,
    spec: { type: "VLAN", vlanId: 120, cidr: "10.20.0.0/24", gateway: "10.20.0.1" },
  });
  const overlay = await env.services.networks.createNetwork(env.ctx, {
    name: "backend",
    projectId: env.projectId,
    spec: { type: "OVERLAY", vni: 5001, cidr: "192.168.8.0/22" },
  });
  const web = await env.services.securityGroups.createGroup(env.ctx, {
    name: "web",
    projectId: env.projectId,
    spec: {
      rules: [
        {
          id: "ssh",
          direction: "INGRESS",
          protocol: "TCP",
          portRange: { from: 22, to: 22 },
          cidr: "10.0.0.0/8",
          priority: 500,
        },
        {
          id: "https",
          direction: "INGRESS",
          protocol: "TCP",
          portRange: { from: 443, to: 443 },
          priority: 100,
        },
      ],
    },
  });
  const deny = await env.services.securityGroups.createGroup(env.ctx, {
    name: "deny-icmp",
    projectId: env.projectId,
    spec: {
      rules: [{ id: "no-ping", direction: "INGRESS", protocol: "ICMP", action: "DENY", priority: 50 }],
    },
  });
  const vm = await env.services.vms.create(env.ctx, {
    projectId: env.projectId,
    name: "app",
    spec: {
      cpu: { vcpus: 1 },
      memory: { sizeMib: 512 },
      nics: [
        { name: "eth0", networkId: vlan.id, securityGroupIds: [web.id, deny.id], ipAddress: "10.20.0.40" },
        { name: "eth1", networkId: overlay.id },
      ],
    },
  });
  return { vlan, overlay, web, deny, vm };
}

describe("the VM definition agents receive", () => {
  it("carries each NIC's address, prefix length, gateway, MAC, VLAN or VNI and the rules of its security groups in order", async () => {
    const { vlan, overlay, web, deny, vm } = await scene();
    const def = await agentDefinitionOf(env.adapters.repositories, vm);
    const [eth0, eth1] = def.nics.map(agentNicConfig);
    expect(eth0).toMatchObject({
      name: "eth0",
      networkId: vlan.id,
      ipAddress: "10.20.0.40",
      prefixLength: 24,
      gateway: "10.20.0.1",
      vlanId: 120,
      macAddress: vm.status.nics[0]!.macAddress,
      securityGroupIds: [web.id, deny.id],
    });
    expect(eth0?.vni).toBeUndefined();
    expect(eth0?.securityRules?.map((r) => `${r.groupId}/${r.id}:${r.priority}`)).toEqual([
      `${deny.id}/no-ping:50`,
      `${web.id}/https:100`,
      `${web.id}/ssh:500`,
    ]);
    expect(eth0?.securityRules?.[2]).toMatchObject({
      protocol: "TCP",
      portRange: { from: 22, to: 22 },
      cidr: "10.0.0.0/8",
      action: "ALLOW",
    });
    expect(eth1).toMatchObject({
      networkId: overlay.id,
      ipAddress: "192.168.8.1",
      prefixLength: 22,
      vni: 5001,
      securityRules: [],
    });
    expect(eth1?.gateway).toBeUndefined();
    expect(eth1?.vlanId).toBeUndefined();
  });

  it("reaches a simulated agent over the agent protocol, which reports the allocated addresses once the VM runs", async () => {
    const { vm } = await scene();
    const sim = createInProcessSimAgent({ nodeId: "sim-1", cpu: 4, memoryMib: 8192, bootDelayMs: 1 });
    const pool = new AgentClientPool({ tls: { ca: "", cert: "", key: "" }, retry: { attempts: 1 } });
    try {
      await pool.connectTransport({ nodeId: "sim-1", address: sim.address }, sim.transport);
      const agent = pool.agent("sim-1");
      await agent.createVm(await agentDefinitionOf(env.adapters.repositories, vm));
      const held = sim.hypervisor.definition(vm.id).nics.map(agentNicConfig);
      expect(held[0]).toMatchObject({
        ipAddress: "10.20.0.40",
        vlanId: 120,
        macAddress: vm.status.nics[0]!.macAddress,
      });
      expect(held[0]?.securityRules).toHaveLength(3);
      await agent.startVm(vm.id);
      await eventually(async () =>
        expect((await agent.getVmStatus(vm.id)).ipAddresses).toEqual(["10.20.0.40", "192.168.8.1"]),
      );
    } finally {
      sim.stop();
      await pool.close();
    }
  });
});
