import { sim } from "@limiquantix/api";
import { invalidArgument } from "@limiquantix/domain";
import { type RpcRoute, route } from "../rpc/route";
import type { SimLab, SimNodeFault } from "./sim-lab";

const FAULTS: Readonly<Partial<Record<sim.NodeFault, SimNodeFault>>> = {
  [sim.NodeFault.KILL_AGENT]: "kill-agent",
  [sim.NodeFault.ISOLATE]: "isolate",
  [sim.NodeFault.POWER_OFF]: "power-off",
  [sim.NodeFault.RECOVER]: "recover",
};

/** simulationHandler answers SimulationService calls: failing simulated nodes on purpose, and setting their guests' load (served only with simulated nodes). */
export function simulationHandler(lab: SimLab): RpcRoute {
  return route(sim.SimulationService, {
    async failNode(_ctx, req) {
      const fault = FAULTS[req.fault];
      if (!fault) throw invalidArgument([{ field: "fault", description: "must name a fault" }]);
      const st = await lab.fail(req.nodeId, fault);
      return {
        poweredOn: st.poweredOn,
        agentServing: st.agentServing,
        heartbeats: st.heartbeats,
        runningVms: st.runningVms,
      };
    },
    async setVmLoad(_ctx, req) {
      const nodeId = lab.setVmLoad(req.vmId, {
        ...(req.cpuPercent !== undefined ? { cpuPercent: req.cpuPercent } : {}),
        ...(req.memoryPercent !== undefined ? { memoryPercent: req.memoryPercent } : {}),
        ...(req.diskPercent !== undefined ? { diskPercent: req.diskPercent } : {}),
      });
      return { nodeId };
    },
  });
}
