// In-process adapters for every LimiQuantix port: the reference implementation the conformance
// suites are proven on, and the backend of tests and `--dev`.
export {
  bindMemoryAdapters,
  createMemoryAdapters,
  type MemoryAdapterOptions,
  type MemoryAdapters,
} from "./adapters";
export { MemoryAgent } from "./agent-pool/memory-agent";
export { MemoryAgentPool, type MemoryAgentPoolOptions } from "./agent-pool/memory-agent-pool";
export { MemoryCache } from "./cache";
export { MemoryChangeLog } from "./change-log";
export { MemoryCoordinationBackend } from "./coordinator/backend";
export { MemoryCoordinator, type MemoryCoordinatorOptions } from "./coordinator/memory-coordinator";
export {
  type EventErrorHandler,
  MemoryEventBus,
  type MemoryEventBusOptions,
  MemoryEventHub,
} from "./event-bus";
export { sequentialIds } from "./id-generator";
export { isTimerClock, ManualClock, scheduleOn, type TimerClock } from "./manual-clock";
export { createRepositories } from "./repositories/create-repositories";
export { MemoryStore } from "./store";
export { MemoryNodeLiveness } from "./node-liveness";
export { MemoryRateLimiter, type MemoryRateLimiterOptions } from "./rate-limiter";
export { MemorySessionStore } from "./session-store";
export { MemoryUnitOfWork } from "./unit-of-work";
