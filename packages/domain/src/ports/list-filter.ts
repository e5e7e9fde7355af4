import type { LabelSelector } from "../labels/label-selector";

/** FILTER_KEYS are the keys a list filter may hold; each resource kind supports some of them. */
export const FILTER_KEYS = [
  "projectId",
  "clusterId",
  "nodeId",
  "vmId",
  "poolId",
  "volumeId",
  "state",
] as const;
/** FilterKey is one key of a list filter. */
export type FilterKey = (typeof FILTER_KEYS)[number];

/**
 * ListFilter narrows a list. Every given criterion must hold (AND). A criterion the resource
 * kind does not support is refused with InvalidArgument rather than ignored.
 */
export interface ListFilter<S extends string = string> {
  readonly projectId?: string;
  readonly clusterId?: string;
  /** VMs placed on the node. */
  readonly nodeId?: string;
  /** Snapshots of the VM; volumes attached to it; recommendations that move it. */
  readonly vmId?: string;
  /** Volumes carved from the pool. */
  readonly poolId?: string;
  /** Snapshots of the volume. */
  readonly volumeId?: string;
  /** Any of these states (VM power state, node or volume phase, alert state, recommendation state …). */
  readonly states?: readonly S[];
  /** A label selector, parsed or in the `env=prod,zone in (a,b)` syntax. */
  readonly labelSelector?: LabelSelector | string;
}
