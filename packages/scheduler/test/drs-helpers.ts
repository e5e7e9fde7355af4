import type { Node, VirtualMachine } from "@limiquantix/domain";
import { checkPlacements, type Violation } from "../bench/placement-checker";
import type { DrsProposal } from "../src/drs/drs-types";
import type { ClusterSnapshot } from "../src/snapshot/cluster-snapshot";
import { DEFAULT_OVERCOMMIT } from "../src/snapshot/node-record";

/** running marks a VM as meant to run, as HA expects of the VMs it protects. */
export function running(
  v: VirtualMachine,
  restartPriority: "high" | "medium" | "low" = "medium",
): VirtualMachine {
  return { ...v, spec: { ...v.spec, desiredPowerState: "RUNNING", ha: { enabled: true, restartPriority } } };
}

/** applyMoves makes every MIGRATE proposal on the snapshot, as the server would once they are done. */
export function applyMoves(snapshot: ClusterSnapshot, proposals: readonly DrsProposal[]): void {
  for (const p of proposals)
    if (p.type === "MIGRATE") snapshot.reserve(snapshot.vm(p.vmId!)!.vm, p.targetNodeId!);
}

/** independentCheck re-verifies, without the engine's filters, the VMs listed against every hard rule and capacity. */
export function independentCheck(
  nodes: readonly Node[],
  snapshot: ClusterSnapshot,
  checkedIds: ReadonlySet<string>,
): Violation[] {
  return checkPlacements({
    nodes,
    vms: [...snapshot.vms()].map((v) => v.vm),
    placedIds: checkedIds,
    overcommit: DEFAULT_OVERCOMMIT,
  });
}
