// Conformance suites for adapter authors: one call per port registers a thorough vitest suite
// against a harness factory, so a third-party adapter proves itself the same way ours do.
export { runRepositoryConformance, type RepositoryHarness } from "./conformance/repository-conformance";
export { fixtures, merge, type Overrides, uniqueId, uniqueName, uniqueSuffix } from "./conformance/fixtures";
export {
  deferred,
  type Deferred,
  eventually,
  expectDomainError,
  isSettled,
  sleep,
} from "./conformance/support";
export { type CacheHarness, runCacheConformance } from "./conformance/cache-conformance";
export { type EventBusHarness, runEventBusConformance } from "./conformance/event-bus-conformance";
export { type CoordinatorHarness, runCoordinatorConformance } from "./conformance/coordinator-conformance";
export { type ChangeLogHarness, runChangeLogConformance } from "./conformance/change-log-conformance";
export {
  runSessionStoreConformance,
  type SessionStoreHarness,
} from "./conformance/session-store-conformance";
export { type RateLimiterHarness, runRateLimiterConformance } from "./conformance/rate-limiter-conformance";
