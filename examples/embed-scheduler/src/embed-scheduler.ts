import { type VirtualMachine, isDomainError } from "@limiquantix/domain";
import {
  ClusterSnapshot,
  type Placement,
  type PlacementFailureDetails,
  Scheduler,
} from "@limiquantix/scheduler";
import { node, vm } from "./cluster";

/** labCluster is a three-node lab: a busy small node, a roomy idle one, and a cordoned one. */
export function labCluster(): ClusterSnapshot {
  return new ClusterSnapshot({
    nodes: [
      node("node-a", { vcpus: 8, memoryMib: 16_384 }),
      node("node-b", { vcpus: 16, memoryMib: 65_536 }),
      node("node-c", { vcpus: 32, memoryMib: 131_072, cordoned: true }),
    ],
    // node-a already runs a database; the scheduler counts its demand against node-a.
    vms: [vm("db-1", { vcpus: 4, memoryMib: 8192 }, { placedOn: "node-a" })],
  });
}

/** place asks the default (spread) scheduler for a node and the three best candidates with each plugin's score. */
export function place(snapshot: ClusterSnapshot, request: VirtualMachine): Placement {
  return new Scheduler().place(snapshot, request, { candidates: 3 });
}

/** Unplaceable is what the scheduler says when no node fits: the one-line summary and every node's reasons. */
export interface Unplaceable {
  readonly message: string;
  readonly details: PlacementFailureDetails;
}

/** explain places a VM and returns the explanation of the failure, or undefined when it fits somewhere. */
export function explain(snapshot: ClusterSnapshot, request: VirtualMachine): Unplaceable | undefined {
  try {
    place(snapshot, request);
    return undefined;
  } catch (error) {
    if (isDomainError(error) && error.code === "ResourceExhausted")
      return { message: error.message, details: error.details as PlacementFailureDetails };
    throw error;
  }
}

/** formatCandidates renders ranked candidates as one line each: node, weighted total, and the per-plugin scores. */
export function formatCandidates(placement: Placement): string[] {
  return (placement.candidates ?? []).map((c, i) => {
    const scores = Object.entries(c.scores)
      .map(([plugin, score]) => `${plugin}=${score.toFixed(1)}`)
      .join(" ");
    return `${i + 1}. ${c.nodeName}  total ${c.score.toFixed(1)}  (${scores})`;
  });
}
