import { compute } from "@limiquantix/api";
import { eventually } from "@limiquantix/domain/conformance";
import { expect } from "vitest";
import type { RpcHarness } from "./rpc-harness";

/** SMALL_VM is the smallest VM spec the tests create: one vCPU and 512 MiB. */
export const SMALL_VM = { vcpus: 1, memoryMib: 512n } as const;

/** powerIs waits until the VM's status reports the power state. */
export async function powerIs(h: RpcHarness, id: string, state: compute.PowerState): Promise<void> {
  const vms = h.client(compute.VMService);
  await eventually(async () => expect((await vms.getVM({ id })).vm?.status?.powerState).toBe(state));
}

/** runningVm creates a small VM, starts it and waits until its agent runs it. */
export async function runningVm(h: RpcHarness, name: string): Promise<compute.VirtualMachine> {
  const vms = h.client(compute.VMService);
  const { vm } = await vms.createVM({ projectId: h.projectId, name, spec: SMALL_VM });
  await vms.startVM({ id: vm!.id });
  await powerIs(h, vm!.id, compute.PowerState.RUNNING);
  return (await vms.getVM({ id: vm!.id })).vm!;
}
