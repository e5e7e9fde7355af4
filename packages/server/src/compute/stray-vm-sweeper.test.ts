import { eventually } from "@limiquantix/domain/conformance";
import type { MemoryAgentPool } from "@limiquantix/repo-memory";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type MemoryServices, startMemoryServices } from "../testing/memory-services";
import type { AgentDirectory } from "./agent-directory";
import { COMPUTE } from "./compute-ids";
import { StrayVmSweeper } from "./stray-vm-sweeper";

let env: MemoryServices;
let n1: string;
let n2: string;
beforeEach(async () => {
  env = await startMemoryServices();
  n1 = await env.registerNode("n1", 4, 16384);
  n2 = await env.registerNode("n2", 4, 16384);
});
afterEach(async () => {
  await env.close();
});

const pool = () => env.adapters.agentPool as MemoryAgentPool;
const agents = () => env.plane.container.get<AgentDirectory>(COMPUTE.agents);
const sweeper = () => new StrayVmSweeper(env.services.deps, agents());
const small = { cpu: { vcpus: 1 }, memory: { sizeMib: 512 } };

async function runningVm(name: string) {
  const vm = await env.services.vms.create(env.ctx, { projectId: env.projectId, name, spec: small });
  await env.services.power.start(env.ctx, vm.id);
  await eventually(async () =>
    expect((await env.services.vms.get(env.ctx, vm.id)).status.powerState).toBe("RUNNING"),
  );
  return env.services.vms.get(env.ctx, vm.id);
}

/** copyOn defines a VM on a node's agent as well, as a host that held it once would. */
async function copyOn(nodeId: string, vmId: string, name: string): Promise<void> {
  await agents().forNode(nodeId);
  await pool().host(nodeId).createVm({
    vmId,
    name,
    vcpus: 1,
    memoryMib: 512,
    disks: [],
    nics: [],
  });
  await pool().host(nodeId).startVm(vmId);
}

describe("StrayVmSweeper", () => {
  it("stops and undefines a copy of a VM placed on another node, and leaves the VM's own copy and status alone", async () => {
    const vm = await runningVm("web");
    const other = vm.status.nodeId === n1 ? n2 : n1;
    await copyOn(other, vm.id, vm.name);

    expect(await sweeper().sweep(other, [vm.id])).toEqual([{ vmId: vm.id, placedOn: vm.status.nodeId }]);
    expect(await pool().host(other).listVms()).toEqual([]);
    expect((await pool().host(vm.status.nodeId!).listVms()).map((v) => v.powerState)).toEqual(["RUNNING"]);
    expect((await env.services.vms.get(env.ctx, vm.id)).resourceVersion).toBe(vm.resourceVersion);
    // Its own node's copy is never a stray.
    expect(await sweeper().sweep(vm.status.nodeId!, [vm.id])).toEqual([]);
  });

  it("leaves the copy on a migration's target alone", async () => {
    const vm = await runningVm("web");
    const target = vm.status.nodeId === n1 ? n2 : n1;
    await copyOn(target, vm.id, vm.name);
    await env.adapters.repositories.vms.updateStatus(
      vm.id,
      { ...vm.status, migration: { targetNodeId: target, progressPercent: 40, startedAt: vm.createdAt } },
      vm.resourceVersion,
    );
    expect(await sweeper().sweep(target, [vm.id])).toEqual([]);
    expect(await pool().host(target).listVms()).toHaveLength(1);
  });

  it("removes, from a heartbeat's report, a VM the control plane has deleted", async () => {
    const vm = await runningVm("web");
    const node = vm.status.nodeId!;
    await env.services.vms.delete(env.ctx, vm.id, { force: true });
    // The agent kept it (its host missed the delete) and reports it again.
    await copyOn(node, vm.id, vm.name);
    await env.services.nodeAgents.heartbeat(env.ctx, node, {
      vms: [{ vmId: vm.id, powerState: "RUNNING", ipAddresses: [] }],
    });
    await eventually(async () => expect(await pool().host(node).listVms()).toEqual([]));
  });

  it("does not record a heartbeat's report of a VM placed on another node", async () => {
    const vm = await runningVm("web");
    const other = vm.status.nodeId === n1 ? n2 : n1;
    await copyOn(other, vm.id, vm.name);
    await env.services.nodeAgents.heartbeat(env.ctx, other, {
      vms: [{ vmId: vm.id, powerState: "PAUSED", ipAddresses: ["10.9.9.9"] }],
    });
    await eventually(async () => expect(await pool().host(other).listVms()).toEqual([]));
    const after = await env.services.vms.get(env.ctx, vm.id);
    expect(after.status).toEqual(vm.status);
  });

  it("asks an agent that registers again which VMs it holds, and removes those not placed on its node", async () => {
    const vm = await runningVm("web");
    const other = vm.status.nodeId === n1 ? n2 : n1;
    await copyOn(other, vm.id, vm.name);
    sweeper().sweepNode(other);
    await eventually(async () => expect(await pool().host(other).listVms()).toEqual([]));
    expect((await pool().host(vm.status.nodeId!).listVms()).map((v) => v.vmId)).toEqual([vm.id]);
  });
});
