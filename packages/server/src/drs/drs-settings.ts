import type { Config } from "../config/schema";

/** DrsRuntimeSettings are the server-wide DRS settings the controller and the DRS service work with (a cluster's own live in its spec). */
export interface DrsRuntimeSettings {
  /** A VM DRS moved (or whose move was rejected) is left where it is this long. */
  readonly cooldownMs: number;
  /** At most this many DRS migrations run at once in a cluster. */
  readonly parallelPerCluster: number;
  /** At most this many DRS migrations run at once from or to one node. */
  readonly parallelPerNode: number;
  /** Finished recommendations (applied, rejected, failed, superseded) are deleted after this long. */
  readonly retentionMs: number;
  /** How long RunNow waits for the leader's pass before it answers Unavailable. */
  readonly runNowTimeoutMs: number;
}

/** RUN_NOW_TIMEOUT_MS is how long RunNow waits for the leader's pass unless the call's deadline is sooner. */
export const RUN_NOW_TIMEOUT_MS = 30_000;

/** drsRuntimeSettings reads the server-wide DRS settings from the configuration. */
export function drsRuntimeSettings({ drs }: Pick<Config, "drs">): DrsRuntimeSettings {
  return {
    cooldownMs: drs.cooldownMinutes * 60_000,
    parallelPerCluster: drs.parallelMigrationsPerCluster,
    parallelPerNode: drs.parallelMigrationsPerNode,
    retentionMs: drs.retentionHours * 3_600_000,
    runNowTimeoutMs: RUN_NOW_TIMEOUT_MS,
  };
}
