import { ErrorCode, type Node } from "@limiquantix/domain";
import { fixtures } from "@limiquantix/domain/conformance";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type MemoryServices, startMemoryServices } from "../testing/memory-services";

let env: MemoryServices;
let nodeId: string;
beforeEach(async () => {
  env = await startMemoryServices();
  nodeId = await env.registerNode("n1", 4, 8192);
});
afterEach(async () => {
  await env.close();
});

const small = { cpu: { vcpus: 1 }, memory: { sizeMib: 512 } };
const nodes = () => env.adapters.repositories.nodes;
const create = (name: string) =>
  env.services.vms.create(env.ctx, { projectId: env.projectId, name, spec: small });

/** writeAllocation stores a node's allocation as another replica's creates or deletes would leave it. */
async function writeAllocation(allocated: Node["status"]["allocated"]): Promise<void> {
  const node = await nodes().get(nodeId);
  await nodes().updateStatus(nodeId, { ...node.status, allocated });
}

describe("charging a node for a new VM", () => {
  it("charges the node as another writer left it, not as this replica last charged it", async () => {
    await create("a");
    expect((await nodes().get(nodeId)).status.allocated).toEqual({ vcpus: 1, memoryMib: 512, vmCount: 1 });
    // This replica does not hear of the other writer's change before its next create.
    await env.services.relay.stop();
    await writeAllocation({ vcpus: 3, memoryMib: 2048, vmCount: 3 });
    await create("b");
    expect((await nodes().get(nodeId)).status.allocated).toEqual({ vcpus: 4, memoryMib: 2560, vmCount: 4 });
    await create("c");
    expect((await nodes().get(nodeId)).status.allocated).toEqual({ vcpus: 5, memoryMib: 3072, vmCount: 5 });
  });

  it("refuses a node another replica filled since this replica charged it, and uses it again once emptied", async () => {
    await create("a");
    const capacity = env.services.snapshot.node(nodeId)?.capacity;
    expect(capacity).toBeDefined();
    await env.services.relay.stop();
    // Another replica places a VM taking the rest of the node (its VM and its charge, in one unit of work).
    const rest = { vcpus: capacity!.vcpus - 1, memoryMib: capacity!.memoryMib - 512 };
    const other = await env.services.deps.uow.run(async (tx) => {
      const node = await tx.nodes.get(nodeId);
      const a = node.status.allocated;
      await tx.nodes.updateStatus(nodeId, {
        ...node.status,
        allocated: {
          vcpus: a.vcpus + rest.vcpus,
          memoryMib: a.memoryMib + rest.memoryMib,
          vmCount: a.vmCount + 1,
        },
      });
      return tx.vms.create(
        fixtures.vm({
          projectId: env.projectId,
          spec: { cpu: { vcpus: rest.vcpus }, memory: { sizeMib: rest.memoryMib } },
          status: { nodeId, powerState: "STOPPED" },
        }),
      );
    });
    const full = { vcpus: capacity!.vcpus, memoryMib: capacity!.memoryMib, vmCount: 2 };
    expect((await nodes().get(nodeId)).status.allocated).toEqual(full);
    const refused = await create("b").then(
      () => undefined,
      (e: unknown) => e as { code?: string },
    );
    expect(refused?.code).toBe(ErrorCode.ResourceExhausted);
    expect((await nodes().get(nodeId)).status.allocated).toEqual(full);
    expect(await env.adapters.repositories.vms.findByName("b", env.projectId)).toBeUndefined();

    // That replica deletes its VM: this one places here again, charging the node as it now is.
    await env.services.vms.delete(env.ctx, other.id);
    await create("c");
    expect((await nodes().get(nodeId)).status.allocated).toEqual({ vcpus: 2, memoryMib: 1024, vmCount: 2 });
  });
});
