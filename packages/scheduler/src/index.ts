// Pure placement engine of LimiQuantix: pluggable filters and scores over an incremental cluster snapshot.
export {
  Scheduler,
  type SchedulerOptions,
  type PlaceOptions,
  type Placement,
  type PlacementCandidate,
} from "./scheduler";
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
