import type { Scheduler } from "../scheduler";
import type { ClusterSnapshot } from "../snapshot/cluster-snapshot";
import { inClusterScope, timeOf } from "../snapshot/cluster-scope";
import { balance } from "./balancing";
import type { DrsOptions, DrsResult } from "./drs-types";
import { LoadModel } from "./load-model";
import { evacuate, repairViolations } from "./mandatory-moves";
import { thresholdPolicy } from "./migration-threshold";
import { PassState } from "./pass-state";
import { powerProposals } from "./power-recommendations";

/** DEFAULT_HISTORY_WINDOW_MS is how long a migrated VM is left where it is: one hour. */
export const DEFAULT_HISTORY_WINDOW_MS = 3_600_000;

function recentlyMoved(options: DrsOptions): Set<string> {
  const out = new Set<string>();
  const now = options.now === undefined ? undefined : timeOf(options.now);
  const window = options.historyWindowMs ?? DEFAULT_HISTORY_WINDOW_MS;
  for (const r of options.history ?? []) {
    const at = timeOf(r.at);
    if (now === undefined || Number.isNaN(at) || now - at < window) out.add(r.vmId);
  }
  return out;
}

/**
 * planDrs runs one DRS pass over a cluster of the snapshot and returns ranked recommendations:
 * first the mandatory moves (every VM off hosts entering maintenance, every VM that breaks a hard
 * rule where it runs), then balancing migrations chosen greedily, each lowering imbalance the most
 * among the candidates, then at most one host power change. Every move is re-checked with the
 * scheduler's filters on the snapshot as it stands after the moves before it, so none breaks a
 * placement rule or overcommits a host. The snapshot is left as it was given.
 */
export function planDrs(scheduler: Scheduler, snapshot: ClusterSnapshot, options: DrsOptions): DrsResult {
  const settings = options.settings ?? {};
  const entering = new Set(options.enteringMaintenance ?? []);
  const scoped = snapshot.nodes().filter((n) => inClusterScope(n, options.clusterId));
  const evacuating = scoped
    .filter((n) => n.node.status.phase === "MAINTENANCE" || entering.has(n.id))
    .map((n) => n.id);
  const evacuatingSet = new Set(evacuating);
  const hosts = scoped.filter(
    (n) =>
      n.node.status.phase === "READY" && n.node.spec.roles.includes("compute") && !evacuatingSet.has(n.id),
  );
  const model = new LoadModel(hosts, options.weights ?? { cpu: 1, memory: 1 }, {
    cpu: (settings.cpuThresholdPercent ?? 80) / 100,
    memory: (settings.memoryThresholdPercent ?? 85) / 100,
  });
  const before = model.imbalance();
  const loads = hosts.map((_, i) => model.load(i));
  const pass = new PassState(
    scheduler,
    snapshot,
    model,
    options.clusterId,
    evacuatingSet,
    recentlyMoved(options),
  );
  try {
    evacuate(pass, evacuating);
    repairViolations(pass);
    const policy = thresholdPolicy(settings.migrationThreshold ?? 3);
    const stoppedBy = policy.balance
      ? balance(pass, policy, settings.maxMovesPerPass ?? 10)
      : "mandatory-only";
    const power = powerProposals(pass, options.power);
    return {
      clusterId: options.clusterId,
      imbalanceBefore: before,
      imbalanceAfter: model.imbalance(),
      recommendations: [...pass.proposals, ...power],
      blocked: pass.blocked,
      hosts: loads,
      stoppedBy,
    };
  } finally {
    pass.revertAll();
  }
}
