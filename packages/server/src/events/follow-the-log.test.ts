import { eventually } from "@limiquantix/domain/conformance";
import { afterEach, describe, expect, it } from "vitest";
import { type MemoryServices, startMemoryServices } from "../testing/memory-services";

let env: MemoryServices | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

describe("a replica follows the change log", () => {
  it("places against a node another replica registered, without being told by hand", async () => {
    env = await startMemoryServices();
    // Written straight into the shared store, as another replica would.
    await env.adapters.repositories.nodes.create({
      id: "elsewhere",
      name: "elsewhere",
      labels: {},
      spec: { hostname: "elsewhere.lab", managementIp: "10.0.0.2", agentAddress: "127.0.0.1:1", cpu: { sockets: 1, coresPerSocket: 4, threadsPerCore: 1 }, memoryMib: 8192 },
      status: { phase: "READY", allocatable: { vcpus: 4, memoryMib: 8192 } },
    });
    await eventually(() => expect(env!.services.snapshot.node("elsewhere")).toBeDefined());
    const vm = await env.services.vms.create(env.ctx, { projectId: env.projectId, name: "web", spec: { cpu: { vcpus: 1 }, memory: { sizeMib: 512 } } });
    expect(vm.status.nodeId).toBe("elsewhere");
  });

  it("starts a VM whose desired state another replica changed, at once rather than at the next resync", async () => {
    env = await startMemoryServices({ resyncIntervalSec: 3600 });
    await env.registerNode("n1", 4, 16384);
    const vm = await env.services.vms.create(env.ctx, { projectId: env.projectId, name: "web", spec: { cpu: { vcpus: 1 }, memory: { sizeMib: 512 } } });
    const stored = await env.adapters.repositories.vms.get(vm.id);
    await env.adapters.repositories.vms.update({ ...stored, spec: { ...stored.spec, desiredPowerState: "RUNNING" } });
    await eventually(async () => expect((await env!.services.vms.get(env!.ctx, vm.id)).status.powerState).toBe("RUNNING"));
  });
});
