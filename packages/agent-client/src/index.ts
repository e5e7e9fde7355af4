// @limiquantix/agent-client: the hypervisor-agent protocol and a client pool implementing the AgentPool port.
export * as agentv1 from "./protocol";
export { NodeAgentService } from "./gen/limiquantix/agent/v1/node_agent_service_pb";
export { AgentClientPool, bindAgentPool, parseAgentAddress } from "./client/agent-client-pool";
export type { AgentClientPoolOptions, AgentTlsOptions } from "./client/agent-client-pool";
export { CircuitBreaker } from "./client/circuit-breaker";
export type { CircuitBreakerOptions, CircuitState } from "./client/circuit-breaker";
export {
  agentErrorToDomain,
  CONNECT_CODES,
  domainErrorToConnect,
  ERROR_DETAILS_HEADER,
} from "./client/error-mapping";
export { RemoteAgent } from "./client/remote-agent";
export type { RemoteAgentOptions } from "./client/remote-agent";
export type { RetryOptions } from "./client/retry-policy";
