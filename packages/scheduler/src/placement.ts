import type { Reservation } from "./snapshot/cluster-snapshot";

/** PlaceOptions tune one placement. */
export interface PlaceOptions {
  /** Return up to this many ranked candidates with every plugin's score (default none). */
  readonly candidates?: number;
  /** Keep the VM reserved on the chosen node in the snapshot (revert with `snapshot.revert`). */
  readonly reserve?: boolean;
  /** Nodes not to consider, e.g. the source of a migration. */
  readonly excludeNodeIds?: Iterable<string>;
}

/** PlacementCandidate is one feasible node with its weighted total and each score plugin's 0..100 score. */
export interface PlacementCandidate {
  readonly nodeId: string;
  readonly nodeName: string;
  readonly score: number;
  readonly scores: Readonly<Record<string, number>>;
}

/** Placement is where a VM goes, and how the decision was reached. */
export interface Placement {
  readonly vmId: string;
  readonly vmName: string;
  readonly nodeId: string;
  readonly nodeName: string;
  /** Weighted sum of the score plugins for the chosen node. */
  readonly score: number;
  /** Nodes the filters were run on before the scan stopped. */
  readonly evaluatedNodes: number;
  /** Nodes that passed every filter and were scored. */
  readonly feasibleNodes: number;
  /** Ranked feasible nodes, best first, when `candidates` was asked for. */
  readonly candidates?: readonly PlacementCandidate[];
  /** The reservation made when `reserve` was asked for. */
  readonly reservation?: Reservation;
}
