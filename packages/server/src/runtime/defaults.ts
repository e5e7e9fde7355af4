import type { Config } from "../config/schema";
import type { Services } from "../composition/services";
import { systemContext } from "../context/call-context";

/** DEFAULT_NAME names the project and the cluster a fresh installation starts with. */
export const DEFAULT_NAME = "default";

/**
 * ensureDefaults creates the default project and cluster on first start, with the cluster's
 * DRS, HA and overcommit settings taken from the configuration. Existing ones are left alone.
 */
export async function ensureDefaults(
  services: Services,
  config: Config,
): Promise<{ projectId: string; clusterId: string }> {
  const ctx = systemContext("start-up");
  const cluster =
    (await services.clusters.findByName(ctx, DEFAULT_NAME)) ??
    (await services.clusters.create(ctx, {
      name: DEFAULT_NAME,
      spec: {
        description: "created on first start",
        overcommit: config.scheduler.overcommit,
        drs: {
          enabled: config.drs.enabled,
          automationLevel: config.drs.automationLevel,
          intervalSec: config.drs.intervalSec,
          migrationThreshold: config.drs.migrationThreshold,
          cpuThresholdPercent: config.drs.cpuThresholdPercent,
          memoryThresholdPercent: config.drs.memoryThresholdPercent,
        },
        ha: {
          enabled: config.ha.enabled,
          checkIntervalSec: config.ha.checkIntervalSec,
          failureThreshold: config.ha.failureThreshold,
        },
      },
    }));
  const project =
    (await services.projects.findByName(ctx, DEFAULT_NAME)) ??
    (await services.projects.create(ctx, { name: DEFAULT_NAME, description: "created on first start" }));
  return { projectId: project.id, clusterId: cluster.id };
}
