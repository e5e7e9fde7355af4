/**
 * REJECTION_KINDS lists the kinds of rule a filter can turn a node down for, so callers such as
 * DRS act on what a rule is rather than on which plugin enforces it.
 */
export const REJECTION_KINDS = [
  /** The node is not READY, is cordoned or is in maintenance. */
  "node-state",
  /** The node does not run VMs (no `compute` role). */
  "node-role",
  /** CPU or memory would exceed the node's overcommitted capacity. */
  "capacity",
  /** The node carries a taint the VM does not tolerate. */
  "taint",
  /** The node's labels do not satisfy the VM's node selector. */
  "node-selector",
  /** A `must` host rule keeps the VM inside or outside a node group. */
  "host-rule",
  /** The node cannot reach a storage pool of the VM's volumes. */
  "storage",
  /** The node does not carry a network of the VM's NICs. */
  "network",
  /** Required VM↔VM affinity or anti-affinity. */
  "affinity",
  /** The request itself left the node out (`excludeNodeIds`, a node DRS is evacuating). */
  "request",
  /** Any other rule, e.g. a third-party filter's that fits none of the above. */
  "other",
] as const;

/** RejectionKind is one of REJECTION_KINDS: what kind of rule turned a node down. */
export type RejectionKind = (typeof REJECTION_KINDS)[number];

/** RejectionTraits is what a rejection says beyond its text: the kind of rule, and whether it binds running VMs. */
export interface RejectionTraits {
  readonly kind: RejectionKind;
  /**
   * True when the rule also holds for a VM already running on the node, so DRS must move the VM
   * off (an untolerated NoExecute taint, an overcommitted node, a broken affinity or host rule);
   * false when it only forbids new placements (a cordoned node, a NoSchedule taint).
   */
  readonly bindsRunning: boolean;
}

/** FilterRejection is a typed reason for turning a node down: the text for people and the traits for code. */
export interface FilterRejection extends RejectionTraits {
  /** What is wrong, e.g. `insufficient memory (need 8192 MiB)`. */
  readonly reason: string;
}

/**
 * FilterVerdict is what a filter returns for a node: `undefined` when the VM may go there, else a
 * FilterRejection, or a plain reason that takes the traits the plugin declares in `rejects`.
 */
export type FilterVerdict = string | FilterRejection | undefined;

/**
 * UNTYPED_REJECTION is the traits of a plain reason from a filter that declares no `rejects`: a
 * rule of kind `other` that binds running VMs, since a rule nobody described is taken at its word.
 */
export const UNTYPED_REJECTION: RejectionTraits = { kind: "other", bindsRunning: true };
