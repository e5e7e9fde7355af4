// Pure placement engine of LimiQuantix: pluggable filters and scores over an incremental cluster snapshot.
export { Scheduler, type SchedulerOptions } from "./scheduler";
export type { PlaceOptions, Placement, PlacementCandidate } from "./placement";
export type { BatchOptions, BatchPlacement, BatchFailure } from "./batch-placement";
export { ClusterSnapshot, type SnapshotInput, type Reservation } from "./snapshot/cluster-snapshot";
export type {
  NodeState,
  VmState,
  Allocation,
  AntiAffinityHolder,
  SnapshotReader,
} from "./snapshot/snapshot-types";
export { DEFAULT_OVERCOMMIT, allocatableOf } from "./snapshot/node-record";
export { NodeFlags, type NodeColumns, type LabelColumn } from "./snapshot/node-columns";
export {
  SKIP,
  type Skip,
  type FilterPlugin,
  type ScorePlugin,
  type Plugin,
  type PlacementContext,
  defineFilter,
  defineScore,
  isFilterPlugin,
} from "./framework/plugin";
export {
  REJECTION_KINDS,
  UNTYPED_REJECTION,
  type RejectionKind,
  type RejectionTraits,
  type FilterRejection,
  type FilterVerdict,
} from "./framework/rejection";
export { PluginRegistry } from "./framework/registry";
export { PRESETS, type Preset, type PresetDefinition, type ProfileConfig } from "./framework/profile";
export type {
  PlacementFailureDetails,
  NodeRejections,
  Rejection,
  ReasonCount,
} from "./framework/explain";
export { BUILTIN_FILTERS } from "./filters/index";
export { BUILTIN_SCORES } from "./scores/index";
export { NODE_READY } from "./filters/node-ready-filter";
export { COMPUTE_ROLE } from "./filters/compute-role-filter";
export { CAPACITY } from "./filters/capacity-filter";
export { TAINTS } from "./filters/taint-filter";
export { NODE_SELECTOR } from "./filters/node-selector-filter";
export { HOST_RULES } from "./filters/host-rule-filter";
export { STORAGE } from "./filters/storage-filter";
export { NETWORK } from "./filters/network-filter";
export { VM_AFFINITY } from "./filters/vm-affinity-filter";
export { tolerates, isTolerated } from "./filters/tolerations";
export { LEAST_ALLOCATED } from "./scores/least-allocated-score";
export { MOST_ALLOCATED } from "./scores/most-allocated-score";
export { BALANCED } from "./scores/balanced-score";
export { VM_AFFINITY_PREFERENCE } from "./scores/vm-affinity-score";
export { PREFER_NO_SCHEDULE } from "./scores/prefer-no-schedule-score";
export { HOST_RULE_PREFERENCE } from "./scores/host-rule-score";
export { planDrs, DEFAULT_HISTORY_WINDOW_MS } from "./drs/drs-pass";
export type {
  DrsOptions,
  DrsProposal,
  DrsResult,
  BlockedMove,
  MigrationRecord,
  PowerOptions,
} from "./drs/drs-types";
export { LoadModel, type DrsWeights, type HostLoad } from "./drs/load-model";
export { thresholdPolicy, type ThresholdPolicy } from "./drs/migration-threshold";
export { DEFAULT_POWER_OFF_BELOW_PERCENT } from "./drs/power-recommendations";
export { appliesAutomatically, splitByAutomation, type DrsAction } from "./drs/automation";
export {
  planDrain,
  type DrainOptions,
  type DrainPlan,
  type DrainMove,
  type DrainBlocker,
} from "./drs/drain-plan";
export {
  classifyNodes,
  type NodeHealth,
  type DetectionInput,
  type NodeClassification,
} from "./ha/failure-detection";
export {
  planFailover,
  isProtected,
  RESTART_ORDER,
  type FailoverOptions,
  type FailoverPlan,
  type FailoverRestart,
  type FailoverBlocker,
  type FailoverSkip,
} from "./ha/failover-plan";
export {
  checkAdmission,
  largestHosts,
  type AdmissionRequest,
  type AdmissionOptions,
  type AdmissionDecision,
  type AdmissionAmounts,
  type FailoverCapacity,
} from "./ha/admission-control";
export { inClusterScope } from "./snapshot/cluster-scope";
