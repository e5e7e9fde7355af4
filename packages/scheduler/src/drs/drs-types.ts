import type { DrsRecommendation, DrsSettings } from "@limiquantix/domain";
import type { ReasonCount } from "../framework/explain";
import type { DrsWeights, HostLoad } from "./load-model";

/** MigrationRecord is one migration that already happened, fed back so DRS does not move a VM back and forth. */
export interface MigrationRecord {
  readonly vmId: string;
  readonly sourceNodeId: string;
  readonly targetNodeId: string;
  /** When the migration finished: ISO timestamp or epoch milliseconds. */
  readonly at: string | number;
}

/** PowerOptions tune the host power recommendations of a DRS pass. */
export interface PowerOptions {
  /** Hosts powered off to save energy that DRS may ask to power on when capacity is short. */
  readonly standbyNodeIds?: readonly string[];
  /** Recommend powering off an empty host when mean CPU and memory load are both below this percentage (default 30). */
  readonly powerOffBelowPercent?: number;
  /** Set false to leave host power alone (default true). */
  readonly enabled?: boolean;
}

/** DrsOptions configure one DRS pass; `settings` takes a cluster's `spec.drs` as is. */
export interface DrsOptions {
  /** The cluster the pass is for; its nodes (and nodes with no cluster) are considered. */
  readonly clusterId: string;
  /** migrationThreshold, cpu/memoryThresholdPercent and maxMovesPerPass (domain defaults 3, 80, 85, 10). */
  readonly settings?: Partial<
    Pick<
      DrsSettings,
      "migrationThreshold" | "cpuThresholdPercent" | "memoryThresholdPercent" | "maxMovesPerPass"
    >
  >;
  /** Weights of CPU and memory in the imbalance metric (default equal). */
  readonly weights?: DrsWeights;
  /** Nodes about to enter maintenance: every VM on them must move (nodes already in MAINTENANCE are included anyway). */
  readonly enteringMaintenance?: readonly string[];
  /** Recent migrations; a VM migrated within `historyWindowMs` of `now` is not moved again for balance. */
  readonly history?: readonly MigrationRecord[];
  /** The current time (ISO or epoch ms); without it every history record counts as recent. */
  readonly now?: string | number;
  /** How long a migrated VM stays put (default one hour). */
  readonly historyWindowMs?: number;
  readonly power?: PowerOptions;
}

/** DrsProposal is one recommendation of a pass, shaped as the domain DrsRecommendation less its id, state and timestamps. */
export type DrsProposal = Pick<
  DrsRecommendation,
  "clusterId" | "priority" | "type" | "vmId" | "sourceNodeId" | "targetNodeId" | "reason" | "impact"
>;

/** BlockedMove is a VM that must leave its host (maintenance or a broken rule) but has nowhere valid to go. */
export interface BlockedMove {
  readonly vmId: string;
  readonly vmName: string;
  readonly sourceNodeId: string;
  /** Why it must move. */
  readonly cause: string;
  /** Why no host takes it, across hosts, most frequent first (as the scheduler explains it). */
  readonly reasons: readonly ReasonCount[];
}

/** DrsResult is the outcome of a pass: ranked proposals, what could not be done, and the metric before and after. */
export interface DrsResult {
  readonly clusterId: string;
  readonly imbalanceBefore: number;
  /** The imbalance once every proposed migration is made. */
  readonly imbalanceAfter: number;
  /** Mandatory moves first (CRITICAL), then balancing moves in the order chosen, then power changes. */
  readonly recommendations: readonly DrsProposal[];
  readonly blocked: readonly BlockedMove[];
  /** Host loads before the pass, for display. */
  readonly hosts: readonly HostLoad[];
  /** Why balancing stopped: `balanced`, `threshold`, `move-cap`, `no-improving-move` or `mandatory-only`. */
  readonly stoppedBy: "balanced" | "threshold" | "move-cap" | "no-improving-move" | "mandatory-only";
}
