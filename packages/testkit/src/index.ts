// Test kit: real PostgreSQL, Redis and etcd servers for integration tests.
export * from "./free-port";
export * from "./temp-dir";
export * from "./redis";
export * from "./etcd";
export * from "./postgres";
