import type { IdentityBackends } from "../auth/access-setup";
import type { ContainerModule } from "inversify";
import type { Logger } from "pino";
import type { Config } from "../config/schema";
import type { HealthCheck } from "../observability/health";

/** BackendComponent is one backend `/ready` reports, with the address it uses. */
export interface BackendComponent {
  readonly name: string;
  readonly address: string;
  readonly check: HealthCheck;
}

/** Backends are the adapters a server mode binds to the ports, and how to check and close them. */
export interface Backends {
  readonly mode: Config["mode"];
  /** Components `/ready` reports. */
  readonly components: readonly BackendComponent[];
  /** One container module per adapter package, each binding that package's ports. */
  readonly modules: readonly ContainerModule[];
  /** The stores of sign-in: sessions (refresh tokens) and login rate limits. */
  readonly identity: IdentityBackends;
  /** Database pool figures for /metrics, where there is a pool. */
  readonly poolStats?: () => { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

/**
 * createBackends opens what the configured mode needs: memory for `dev`, PGlite in the data
 * directory for `embedded`, PostgreSQL + Redis + etcd for `production`. Each mode's adapters are
 * imported only when that mode runs, so embedded never loads the Redis or etcd drivers. A
 * configured backend that cannot be reached is an Unavailable error naming it and its address;
 * there is no fallback.
 */
export async function createBackends(config: Config, logger: Logger): Promise<Backends> {
  switch (config.mode) {
    case "dev":
      return (await import("./backends/dev-backends")).openDevBackends();
    case "embedded":
      return (await import("./backends/embedded-backends")).openEmbeddedBackends(config, logger);
    case "production":
      return (await import("./backends/production-backends")).openProductionBackends(config);
  }
}
