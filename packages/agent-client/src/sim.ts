// @limiquantix/agent-client/sim: a simulated hypervisor agent for tests and demos.
// The simulated agent speaks this protocol. Exporting the namespace here as well keeps it and the
// generated declarations in one shared declaration chunk, where `agentv1.X` stays usable as a type.
export * as agentv1 from "./protocol";
export { createSimAgentService } from "./sim/sim-agent-service";
export type { PeerConnector, SimServiceOptions } from "./sim/sim-agent-service";
export { createInProcessSimAgent, startSimAgent } from "./sim/sim-agent";
export type {
  InProcessSimAgent,
  PartitionMode,
  SimAgent,
  SimAgentOptions,
  SimAgentTls,
} from "./sim/sim-agent";
export { SimFaults } from "./sim/sim-faults";
export type { InjectedError } from "./sim/sim-faults";
export { AGENT_VERSION, SimHypervisor } from "./sim/sim-hypervisor";
export type { SimHypervisorOptions } from "./sim/sim-hypervisor";
export type { SimVmLoad } from "./sim/sim-vm";
