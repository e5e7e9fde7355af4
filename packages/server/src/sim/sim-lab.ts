import { failedPrecondition, type Node, notFound } from "@limiquantix/domain";
import type { Fencer, FenceResult } from "../ha/fencer";

/** SimNodeState is what a simulated node is like: powered, serving, beating, and how many VMs run. */
export interface SimNodeState {
  readonly poweredOn: boolean;
  readonly agentServing: boolean;
  readonly heartbeats: boolean;
  readonly runningVms: number;
}

/** SimNodeFault is a way to fail a simulated node on purpose, or to bring it back. */
export type SimNodeFault = "kill-agent" | "isolate" | "power-off" | "recover";

/**
 * SimNodeControls are the out-of-band switches of one simulated node: what a test or an operator of
 * the simulated cluster uses to fail it, and what its simulated BMC powers it off with.
 */
export interface SimNodeControls {
  /** killAgent stops its agent: no more serving, no more heartbeats; its VMs keep running. */
  killAgent(): Promise<void>;
  /** isolate cuts it from the control plane: heartbeats stop arriving and its agent cannot be reached; its VMs keep running. */
  isolate(): Promise<void>;
  /** powerOff switches the host off: its VMs stop, and its agent and heartbeats with them. */
  powerOff(): Promise<void>;
  /** recover powers it on (if off), serves again and resumes heartbeats. */
  recover(): Promise<void>;
  state(): SimNodeState;
  /** setVmLoad sets how busy a guest on this node is (percentages; unset ones keep their default); false when the VM is not here. */
  setVmLoad?(vmId: string, load: SimVmLoad): boolean;
}

/** SimVmLoad is how busy a simulated guest is: CPU over its vCPUs, memory over its memory, disk written over its disks (0–100). */
export interface SimVmLoad {
  readonly cpuPercent?: number;
  readonly memoryPercent?: number;
  readonly diskPercent?: number;
}

/** SIMULATED_LABEL marks the nodes of the simulated cluster. */
export const SIMULATED_LABEL = "limiquantix.io/simulated";

/**
 * SimLab holds the controls of the simulated nodes by node id: the SimulationService fails nodes
 * through it, and its BMC fences them.
 */
export class SimLab {
  private readonly nodes = new Map<string, SimNodeControls>();

  /** add registers a simulated node's controls under its node id. */
  add(nodeId: string, controls: SimNodeControls): void {
    this.nodes.set(nodeId, controls);
  }

  /** has says whether a node is simulated here. */
  has(nodeId: string): boolean {
    return this.nodes.has(nodeId);
  }

  /** controls returns a simulated node's controls, or NotFound. */
  controls(nodeId: string): SimNodeControls {
    const c = this.nodes.get(nodeId);
    if (!c) throw notFound("simulated node", nodeId);
    return c;
  }

  /** fail applies a fault to a simulated node and says what it is like now. */
  async fail(nodeId: string, fault: SimNodeFault): Promise<SimNodeState> {
    const c = this.controls(nodeId);
    if (fault === "kill-agent") await c.killAgent();
    else if (fault === "isolate") await c.isolate();
    else if (fault === "power-off") await c.powerOff();
    else if (fault === "recover") await c.recover();
    else throw failedPrecondition(`unknown fault ${String(fault)}`);
    return c.state();
  }

  /** setVmLoad sets the load of a VM's simulated guest and returns the id of its node, or NotFound when no simulated node holds it. */
  setVmLoad(vmId: string, load: SimVmLoad): string {
    for (const [nodeId, c] of this.nodes) if (c.setVmLoad?.(vmId, load)) return nodeId;
    throw notFound("VM on a simulated node", vmId);
  }
}

/**
 * SimBmc fences simulated nodes as a real BMC (IPMI, Redfish) fences real ones: it switches the host
 * off out of band, which stops its VMs, and answers "fenced" once the host reports it is off.
 */
export class SimBmc implements Fencer {
  readonly method = "sim-bmc";

  constructor(private readonly lab: SimLab) {}

  /** handles says whether a node has a simulated BMC here. */
  handles(node: Node): boolean {
    return this.lab.has(node.id);
  }

  async fence(node: Node): Promise<FenceResult> {
    try {
      const c = this.lab.controls(node.id);
      await c.powerOff();
      const st = c.state();
      if (st.poweredOn || st.runningVms > 0)
        return { outcome: "failed", reason: `the simulated BMC of "${node.name}" did not power it off` };
      return { outcome: "fenced", message: `powered off by its simulated BMC` };
    } catch (e) {
      return { outcome: "failed", reason: `simulated BMC: ${(e as Error).message}` };
    }
  }
}
