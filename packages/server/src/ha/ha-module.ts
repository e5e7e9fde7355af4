import { ContainerModule } from "inversify";
import { COMPUTE } from "../compute/compute-ids";
import { CORE, type ServerConfig } from "../composition/core-module";
import type { ServiceDeps } from "../shared/service-deps";
import { sim } from "@limiquantix/api";
import { RpcRoute, route } from "../rpc/route";
import { SimBmc, type SimLab } from "../sim/sim-lab";
import { simulationHandler } from "../sim/simulation-handler";
import { FencerChoice, ManualFencer } from "./fencer";
import { IsolationCheck } from "./isolation-check";
import { HaController } from "./ha-controller";
import { HA } from "./ha-ids";
import { IpmiFencer } from "./ipmi-fencer";
import { NodeFencing } from "./node-fencing";
import { RedfishFencer } from "./redfish-fencer";
import { VmFailover } from "./vm-failover";

/**
 * haModule binds the HA area: the fencers (manual by default; the simulated BMC for simulated
 * nodes; Redfish or IPMI for the nodes `ha.fencing.redfish.nodes` or `ha.fencing.ipmi.nodes` names), the HA controller (run on the leader), and the SimulationService that fails simulated
 * nodes on purpose — served only when the runtime binds `HA.simLab` (simulated nodes run).
 */
export const haModule = new ContainerModule(({ bind }) => {
  bind(HA.fencers)
    .toDynamicValue((c) => {
      const choice = new FencerChoice(new ManualFencer());
      const lab = c.get<SimLab | undefined>(HA.simLab, { optional: true });
      if (lab) {
        const bmc = new SimBmc(lab);
        choice.add((n) => bmc.handles(n), bmc);
      }
      // Added last, so it comes first: a node named in the configuration is fenced as configured.
      const { redfish, ipmi } = c.get<ServerConfig>(CORE.config).ha.fencing;
      if (Object.keys(ipmi.nodes).length > 0) {
        const fencer = new IpmiFencer(ipmi);
        choice.add((n) => fencer.handles(n), fencer);
      }
      if (Object.keys(redfish.nodes).length > 0) {
        const fencer = new RedfishFencer(redfish);
        choice.add((n) => fencer.handles(n), fencer);
      }
      return choice;
    })
    .inSingletonScope();
  bind(HA.controller)
    .toDynamicValue((c) => {
      const { ha } = c.get<ServerConfig>(CORE.config);
      const deps = c.get<ServiceDeps>(CORE.deps);
      return new HaController(
        deps,
        new NodeFencing(deps, c.get(HA.fencers), {
          baseMs: ha.fenceRetryBaseSec * 1000,
          maxMs: ha.fenceRetryMaxSec * 1000,
        }),
        new VmFailover(deps, c.get(CORE.scheduler), c.get(CORE.snapshot), c.get(COMPUTE.placement)),
        {
          enabled: ha.enabled,
          intervalMs: ha.intervalSec * 1000,
          ...(ha.agentProbeTimeoutMs > 0
            ? { isolation: new IsolationCheck(deps, c.get(COMPUTE.agents), ha.agentProbeTimeoutMs) }
            : {}),
        },
        c.get(CORE.logger),
        c.get(CORE.relay),
      );
    })
    .inSingletonScope();
  bind(CORE.controller).toService(HA.controller);
  bind(RpcRoute).toDynamicValue((c) => {
    const lab = c.get<SimLab | undefined>(HA.simLab, { optional: true });
    // Without simulated nodes (no SimLab bound) every method answers Unimplemented.
    return lab ? simulationHandler(lab) : route(sim.SimulationService, {});
  });
});
