/** MetricKind is the kind of resource a metric is read from, as alert sources name it. */
export type MetricKind = "Node" | "StoragePool" | "Cluster";

/** MetricDefinition describes one metric alert rules may watch. */
export interface MetricDefinition {
  /** name is what rules call it (`node.cpu.percent`). */
  readonly name: string;
  readonly kind: MetricKind;
  /** label is how alert titles speak of it (`CPU`, `not ready`). */
  readonly label: string;
  /** percent metrics range over 0–100; flags are 1 while a condition holds and 0 otherwise. */
  readonly unit: "percent" | "flag";
  /** description says where the value comes from, for docs and error messages. */
  readonly description: string;
}

/**
 * METRICS are the metrics the alert controller evaluates, read from what the store holds: node
 * usage from each READY node's latest heartbeat, node phases, storage pool figures, and cluster
 * figures added up over the cluster's READY nodes. VMs report no usage the server keeps, so there
 * is no VM metric yet.
 */
export const METRICS: readonly MetricDefinition[] = [
  {
    name: "node.cpu.percent",
    kind: "Node",
    label: "CPU",
    unit: "percent",
    description: "CPU use of a READY node, from its latest heartbeat",
  },
  {
    name: "node.memory.percent",
    kind: "Node",
    label: "memory",
    unit: "percent",
    description: "memory in use over the node's memory, from a READY node's latest heartbeat",
  },
  {
    name: "node.not_ready",
    kind: "Node",
    label: "not ready",
    unit: "flag",
    description: "1 while the node is NOT_READY (its heartbeats stopped), else 0",
  },
  {
    name: "node.failed",
    kind: "Node",
    label: "failed",
    unit: "flag",
    description: "1 while the node is in a failed phase (FAILED, FENCING or FENCED, which HA sets), else 0",
  },
  {
    name: "pool.used.percent",
    kind: "StoragePool",
    label: "space used",
    unit: "percent",
    description: "space written over the pool's capacity",
  },
  {
    name: "pool.free.percent",
    kind: "StoragePool",
    label: "free space",
    unit: "percent",
    description: "space not yet written over the pool's capacity (100 − pool.used.percent)",
  },
  {
    name: "pool.allocated.percent",
    kind: "StoragePool",
    label: "space allocated",
    unit: "percent",
    description: "volume sizes over the capacity the overprovision ratio allows",
  },
  {
    name: "cluster.cpu.percent",
    kind: "Cluster",
    label: "CPU",
    unit: "percent",
    description: "mean CPU use of the cluster's READY nodes that reported usage",
  },
  {
    name: "cluster.memory.percent",
    kind: "Cluster",
    label: "memory",
    unit: "percent",
    description: "memory in use over the memory of the cluster's READY nodes that reported usage",
  },
];

const BY_NAME = new Map(METRICS.map((m) => [m.name, m]));

/** metricNamed returns the definition of a metric, or undefined for a name the server does not evaluate. */
export function metricNamed(name: string): MetricDefinition | undefined {
  return BY_NAME.get(name);
}

/** metricRange is the range a metric's values take: 0–100 for percentages, 0–1 for flags. */
export function metricRange(m: MetricDefinition): { min: number; max: number } {
  return m.unit === "percent" ? { min: 0, max: 100 } : { min: 0, max: 1 };
}
