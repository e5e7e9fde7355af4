import { type DesiredPowerState, type VirtualMachine, failedPrecondition } from "@limiquantix/domain";
import type { CallContext } from "../context/call-context";
import type { AgentDirectory } from "./agent-directory";
import type { AdmissionPolicies } from "./ha-admission";
import type { PlacementService } from "./placement-service";
import { readModifyWrite } from "../shared/read-modify-write";
import type { ServiceDeps } from "../shared/service-deps";

/** PowerIntentSink wakes the reconciler for a VM whose desired state changed (on the leader; elsewhere the log does). */
export interface PowerIntentSink {
  enqueue(vmId: string): void;
}

const NEEDS_RUNNING: Record<string, string> = {
  PAUSED: "pause",
  SUSPENDED: "suspend",
};

/** needsAdmission says whether asking for RUNNING makes a VM one HA must be able to restart: HA on, and not meant to run yet. */
function needsAdmission(vm: VirtualMachine): boolean {
  return vm.spec.ha.enabled && vm.spec.desiredPowerState !== "RUNNING";
}

/**
 * VmPowerService records the power state a user asks for and returns at once; the reconciler
 * drives the agent there. Requests that cannot lead anywhere (pausing a stopped VM, starting one
 * being deleted) are refused with FailedPrecondition, and so is powering on an HA VM its cluster's
 * admission control has no failover capacity for.
 */
export class VmPowerService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly agents: AgentDirectory,
    private readonly reconciler: PowerIntentSink,
    private readonly placement?: Pick<PlacementService, "exclusive" | "haPolicies" | "admitHa" | "noteVm">,
  ) {}

  /** start asks for RUNNING (also resumes a paused or suspended VM). */
  start(_ctx: CallContext, id: string): Promise<VirtualMachine> {
    return this.wantRunning(id);
  }

  /**
   * wantRunning asks for RUNNING. An HA VM not yet meant to run is first held to its cluster's
   * admission control, in the placement section and on its snapshot, where the change is noted
   * before the section ends, so concurrent power-ons and creates count each other.
   */
  private async wantRunning(id: string): Promise<VirtualMachine> {
    const placement = this.placement;
    if (!placement || !needsAdmission(await this.deps.repos.vms.get(id))) return this.want(id, "RUNNING");
    const policies = await placement.haPolicies();
    if (policies.size === 0) return this.want(id, "RUNNING");
    return placement.exclusive(async () => {
      const updated = await this.want(id, "RUNNING", undefined, policies);
      placement.noteVm(updated);
      return updated;
    });
  }

  /** stop asks for STOPPED, gracefully (the guest shuts down) or by force. */
  stop(_ctx: CallContext, id: string, mode: "graceful" | "force" = "graceful"): Promise<VirtualMachine> {
    return this.want(id, "STOPPED", mode);
  }

  /** pause asks for PAUSED; the VM must be running or about to run. */
  pause(_ctx: CallContext, id: string): Promise<VirtualMachine> {
    return this.want(id, "PAUSED");
  }

  /** resume asks for RUNNING from PAUSED or SUSPENDED. */
  async resume(_ctx: CallContext, id: string): Promise<VirtualMachine> {
    const vm = await this.deps.repos.vms.get(id);
    if (
      !["PAUSED", "SUSPENDED"].includes(vm.status.powerState) &&
      !["PAUSED", "SUSPENDED"].includes(vm.spec.desiredPowerState)
    )
      throw failedPrecondition(
        `vm "${vm.name}" is ${vm.status.powerState}, not paused or suspended: nothing to resume`,
      );
    return this.wantRunning(id);
  }

  /** suspend asks for SUSPENDED (memory saved to disk); the VM must be running. */
  suspend(_ctx: CallContext, id: string): Promise<VirtualMachine> {
    return this.want(id, "SUSPENDED");
  }

  /** reboot restarts a running VM's guest now, through its agent. */
  async reboot(_ctx: CallContext, id: string): Promise<VirtualMachine> {
    const vm = await this.deps.repos.vms.get(id);
    if (vm.status.powerState !== "RUNNING" || !vm.status.nodeId)
      throw failedPrecondition(
        `vm "${vm.name}" is ${vm.status.powerState}: only a RUNNING VM can be rebooted`,
      );
    const agent = await this.agents.forNode(vm.status.nodeId);
    await agent.rebootVm(vm.id);
    return vm;
  }

  private async want(
    id: string,
    desired: DesiredPowerState,
    stopMode?: "graceful" | "force",
    admission?: AdmissionPolicies,
  ): Promise<VirtualMachine> {
    const updated = await readModifyWrite(this.deps.repos.vms, id, (vm) => {
      if (!vm.status.nodeId) throw failedPrecondition(`vm "${vm.name}" is not placed on a node`);
      if (vm.status.powerState === "DELETING") throw failedPrecondition(`vm "${vm.name}" is being deleted`);
      const verb = NEEDS_RUNNING[desired];
      const running =
        vm.status.powerState === "RUNNING" ||
        vm.status.powerState === "STARTING" ||
        vm.spec.desiredPowerState === "RUNNING";
      const alreadyThere = vm.status.powerState === desired || vm.spec.desiredPowerState === desired;
      if (verb && !running && !alreadyThere)
        throw failedPrecondition(
          `vm "${vm.name}" is ${vm.status.powerState}: start it before you ${verb} it`,
        );
      if (admission && needsAdmission(vm)) this.placement?.admitHa(admission, vm, vm.status.nodeId, "start");
      return { ...vm, spec: { ...vm.spec, desiredPowerState: desired, ...(stopMode ? { stopMode } : {}) } };
    });
    this.reconciler.enqueue(id);
    return updated;
  }
}
