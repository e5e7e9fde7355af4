import { Code } from "@connectrpc/connect";
import { compute } from "@limiquantix/api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { expectCode } from "../rpc/rpc-test-support";
import { type RpcHarness, startRpcHarness } from "../testing/rpc-harness";
import { runningVm } from "../testing/vm-steps";

let h: RpcHarness;
beforeEach(async () => {
  h = await startRpcHarness();
});
afterEach(async () => {
  await h.close();
});

const _small = { vcpus: 1, memoryMib: 512n };
const vms = () => h.client(compute.VMService);

describe("DeleteVM", () => {
  it("deletes a running VM with force, as the API promises, pulling the plug on its agent", async () => {
    await h.registerNode("n1", 4, 16384);
    const vm = await runningVm(h, "app");
    await vms().deleteVM({ id: vm.id, force: true });
    await expectCode(vms().getVM({ id: vm.id }), Code.NotFound);
    const node = (await h.client(compute.NodeService).getNode({ id: vm.status!.nodeId })).node!;
    expect(node.status?.allocated?.vmCount).toBe(0);
    await expect(h.adapters.agentPool.agent(vm.status!.nodeId).getVmStatus(vm.id)).rejects.toMatchObject({
      code: "NotFound",
    });
  });

  it("deletes a VM the user already asked to stop, without asking for the stop again", async () => {
    await h.registerNode("n1", 4, 16384);
    const vm = await runningVm(h, "app");
    // The agent is out of reach for a moment: the stop is accepted but not yet carried out.
    const host = h.adapters.agentPool.host(vm.status!.nodeId);
    host.setReachable(false);
    await vms().stopVM({ id: vm.id });
    expect((await vms().getVM({ id: vm.id })).vm?.status?.powerState).toBe(compute.PowerState.RUNNING);
    setTimeout(() => host.setReachable(true), 300);
    await vms().deleteVM({ id: vm.id });
    await expectCode(vms().getVM({ id: vm.id }), Code.NotFound);
  });

  it("still refuses to delete a running VM the user did not ask to stop, saying how", async () => {
    await h.registerNode("n1", 4, 16384);
    const vm = await runningVm(h, "app");
    await expectCode(
      vms().deleteVM({ id: vm.id }),
      Code.FailedPrecondition,
      /stop it first or delete with force/,
    );
    expect((await vms().getVM({ id: vm.id })).vm?.status?.powerState).toBe(compute.PowerState.RUNNING);
  });
});
