import type { FilterPlugin } from "../framework/plugin";
import { capacityFilter } from "./capacity-filter";
import { computeRoleFilter } from "./compute-role-filter";
import { hostRuleFilter } from "./host-rule-filter";
import { networkFilter } from "./network-filter";
import { nodeReadyFilter } from "./node-ready-filter";
import { nodeSelectorFilter } from "./node-selector-filter";
import { storageFilter } from "./storage-filter";
import { taintFilter } from "./taint-filter";
import { vmAffinityFilter } from "./vm-affinity-filter";

/** BUILTIN_FILTERS are the built-in filters, cheapest first: the order presets evaluate them in. */
export const BUILTIN_FILTERS: readonly FilterPlugin[] = [
  nodeReadyFilter,
  computeRoleFilter,
  capacityFilter,
  taintFilter,
  nodeSelectorFilter,
  hostRuleFilter,
  storageFilter,
  networkFilter,
  vmAffinityFilter,
];
