// etcd adapters for LimiQuantix: elections, locks, node registry and resumable watches.
export * from "./bind";
export * from "./client";
export * from "./coordinator";
export * from "./errors";
export * from "./lease-session";
export * from "./resumable-watch";
