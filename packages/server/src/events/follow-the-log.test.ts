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
      spec: {
        hostname: "elsewhere.lab",
        managementIp: "10.0.0.2",
        agentAddress: "127.0.0.1:1",
        cpu: { sockets: 1, coresPerSocket: 4, threadsPerCore: 1 },
        memoryMib: 8192,
      },
      status: { phase: "READY", allocatable: { vcpus: 4, memoryMib: 8192 } },
    });
    await eventually(() => expect(env!.services.snapshot.node("elsewhere")).toBeDefined());
    const vm = await env.services.vms.create(env.ctx, {
      projectId: env.projectId,
      name: "web",
      spec: { cpu: { vcpus: 1 }, memory: { sizeMib: 512 } },
    });
    expect(vm.status.nodeId).toBe("elsewhere");
  });

  it("starts a VM whose desired state another replica changed, at once rather than at the next resync", async () => {
    env = await startMemoryServices({ resyncIntervalSec: 3600 });
    await env.registerNode("n1", 4, 16384);
    const vm = await env.services.vms.create(env.ctx, {
      projectId: env.projectId,
      name: "web",
      spec: { cpu: { vcpus: 1 }, memory: { sizeMib: 512 } },
    });
    const stored = await env.adapters.repositories.vms.get(vm.id);
    await env.adapters.repositories.vms.update({
      ...stored,
      spec: { ...stored.spec, desiredPowerState: "RUNNING" },
    });
    await eventually(async () =>
      expect((await env!.services.vms.get(env!.ctx, vm.id)).status.powerState).toBe("RUNNING"),
    );
  });
});

describe("the change log records who wrote", () => {
  it("attributes an API write to its request id and principal, and a reconciler write to the reconciler", async () => {
    const { startRpcHarness } = await import("../testing/rpc-harness");
    const { compute } = await import("@limiquantix/api");
    const h = await startRpcHarness();
    try {
      await h.registerNode("n1", 4, 16384);
      const vms = h.client(compute.VMService, h.grpc);
      const { vm } = await vms.createVM(
        { projectId: h.projectId, name: "web", spec: { vcpus: 1, memoryMib: 512n } },
        { headers: { "x-request-id": "create-web-1" } },
      );
      await vms.startVM({ id: vm!.id });
      await eventually(async () =>
        expect((await vms.getVM({ id: vm!.id })).vm?.status?.powerState).toBe(compute.PowerState.RUNNING),
      );
      const entries = (await h.adapters.changeLog.read(0, 1000)).filter((e) => e.id === vm!.id);
      expect(entries[0]).toMatchObject({
        type: "ADDED",
        requestId: "create-web-1",
        principal: "anonymous:anonymous",
      });
      expect(entries.some((e) => e.principal === "system:reconciler")).toBe(true);
    } finally {
      await h.close();
    }
  });
});
