// Redis adapters for LimiQuantix: cache, cross-replica event bus, sessions and rate limiting.
export * from "./adapters";
export * from "./connection";
export * from "./degrading-cache";
export * from "./errors";
export * from "./rate-limiter";
export * from "./read-through";
export * from "./node-liveness";
export * from "./redis-cache";
export * from "./redis-event-bus";
export * from "./session-store";
export * from "./ttl";
