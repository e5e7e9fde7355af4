import type { DrsProposal, PowerOptions } from "./drs-types";
import type { PassState } from "./pass-state";

/** DEFAULT_POWER_OFF_BELOW_PERCENT is the mean load under which an empty host may be powered off. */
export const DEFAULT_POWER_OFF_BELOW_PERCENT = 30;

/**
 * powerProposals recommends at most one host power change for the state a pass leaves: POWER_ON a
 * standby host when capacity is short (a VM that must move has nowhere to go, a host stays
 * overloaded, or mean load is above a threshold), else POWER_OFF an empty schedulable host when
 * the cluster is underused and would still be without it. One change per pass
 * keeps the cluster from flapping; the next pass sees its effect.
 */
export function powerProposals(pass: PassState, options: PowerOptions = {}): DrsProposal[] {
  if (options.enabled === false) return [];
  const { model } = pass;
  const mean = model.mean();
  const before = model.imbalance();
  const standby = [...(options.standbyNodeIds ?? [])].filter((id) => !model.index.has(id)).sort();
  const short =
    pass.blocked.length > 0 ||
    model.overloadedCount() > 0 ||
    mean.cpu > model.thresholds.cpu ||
    mean.memory > model.thresholds.memory;
  if (short) {
    const target = standby[0];
    if (target === undefined) return [];
    const why =
      pass.blocked.length > 0
        ? `${pass.blocked.length} VM(s) that must move have no valid host`
        : `cluster load is high (mean cpu ${Math.round(mean.cpu * 100)}%, memory ${Math.round(mean.memory * 100)}%)`;
    return [
      {
        clusterId: pass.clusterId,
        priority: "HIGH",
        type: "POWER_ON",
        targetNodeId: target,
        reason: `power on standby node "${pass.nameOf(target)}": ${why}`,
        impact: { imbalanceBefore: before, imbalanceAfter: model.imbalanceReshaped(1, -1) },
      },
    ];
  }
  const below = (options.powerOffBelowPercent ?? DEFAULT_POWER_OFF_BELOW_PERCENT) / 100;
  const n = model.size;
  if (n < 2 || mean.cpu >= below || mean.memory >= below) return [];
  for (let i = 0; i < n; i++) {
    const id = model.ids[i]!;
    const node = pass.snapshot.node(id);
    if (node === undefined || !node.schedulable || node.allocated.vmCount > 0 || pass.evacuating.has(id))
      continue;
    // The others carry the same load over fewer hosts; it must stay under the power-off line, or
    // the next pass could find the cluster busy enough to want the host back.
    if ((mean.cpu * n) / (n - 1) >= below || (mean.memory * n) / (n - 1) >= below) return [];
    return [
      {
        clusterId: pass.clusterId,
        priority: "LOW",
        type: "POWER_OFF",
        targetNodeId: id,
        reason: `power off empty node "${node.name}": cluster is underused (mean cpu ${Math.round(mean.cpu * 100)}%, memory ${Math.round(mean.memory * 100)}%)`,
        impact: { imbalanceBefore: before, imbalanceAfter: model.imbalanceReshaped(0, i) },
      },
    ];
  }
  return [];
}
