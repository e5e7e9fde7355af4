// @limiquantix/agent-client/sim: a simulated hypervisor agent for tests and demos.
export { createTestPki, issueCertificate, issueCertificateAuthority } from "./certs/test-pki";
export type { CertificateAuthority, CertificateRequest, IssuedCertificate, TestPki } from "./certs/test-pki";
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
