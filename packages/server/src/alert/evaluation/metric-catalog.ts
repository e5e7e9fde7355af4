/** MetricKind is the kind of resource a metric is read from, as alert sources name it. */
export type MetricKind = "Node" | "StoragePool" | "Cluster" | "VirtualMachine";

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
 * METRICS are the metrics the alert controller evaluates: node usage from each READY node's latest
 * heartbeat, node phases, storage pool figures and cluster figures added up over the cluster's
 * READY nodes, all read from the store; and the usage of each running VM, as its node's agent
 * reports it (ListVMs) when a pass needs it.
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
  {
    name: "vm.cpu.percent",
    kind: "VirtualMachine",
    label: "CPU",
    unit: "percent",
    description: "CPU use of a running VM over its vCPUs, as its node's agent reports it",
  },
  {
    name: "vm.memory.percent",
    kind: "VirtualMachine",
    label: "memory",
    unit: "percent",
    description: "memory a running VM's guest uses over the VM's memory, as its node's agent reports it",
  },
  {
    name: "vm.disk.percent",
    kind: "VirtualMachine",
    label: "disk used",
    unit: "percent",
    description: "space a running VM has written over the size of its disks, as its node's agent reports it",
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

/** usesVmMetrics says whether any enabled rule watches a VM metric (only then are agents asked for VM usage). */
export function usesVmMetrics(rules: readonly { spec: { metric: string; enabled: boolean } }[]): boolean {
  return rules.some((r) => r.spec.enabled && metricNamed(r.spec.metric)?.kind === "VirtualMachine");
}
