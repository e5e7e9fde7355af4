// limiquantix.agent.v1: every message and enum of the agent protocol, exported as one namespace.
export * from "./gen/limiquantix/agent/v1/agent_pb";
export * from "./gen/limiquantix/agent/v1/node_agent_service_pb";
