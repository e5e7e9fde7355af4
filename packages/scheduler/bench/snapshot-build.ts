// Snapshot build run of the scheduler benchmark: a ClusterSnapshot built from a large cluster,
// beside a plain Map/array index of the same data as the floor to compare it with.
import { performance } from "node:perf_hooks";
import type { Node, VirtualMachine } from "@limiquantix/domain";
import { ClusterSnapshot } from "../src/index";
import { generateCluster } from "./cluster-generator";
import { collectGarbage } from "./collect-garbage";

/** SnapshotRun is the snapshot row of the benchmark: the median build time of each, in ms. */
export interface SnapshotRun {
  nodes: number;
  vms: number;
  snapshotMs: number;
  plainIndexMs: number;
  /** The snapshot agrees with the plain index on every node's allocation and VM count. */
  valid: boolean;
}

/** PlainIndex is the floor: VMs by id and by node, per-node allocation and VMs by label, in Maps and arrays. */
interface PlainIndex {
  readonly nodes: Node[];
  readonly vmById: Map<string, VirtualMachine>;
  readonly vmsByNode: Map<string, VirtualMachine[]>;
  readonly allocatedVcpus: Float64Array;
  readonly allocatedMemoryMib: Float64Array;
  readonly vmsByLabel: Map<string, VirtualMachine[]>;
}

function push<V>(map: Map<string, V[]>, key: string, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function plainIndex(nodes: readonly Node[], vms: readonly VirtualMachine[]): PlainIndex {
  const sorted = [...nodes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const slot = new Map(sorted.map((n, i) => [n.id, i]));
  const index: PlainIndex = {
    nodes: sorted,
    vmById: new Map(),
    vmsByNode: new Map(),
    allocatedVcpus: new Float64Array(sorted.length),
    allocatedMemoryMib: new Float64Array(sorted.length),
    vmsByLabel: new Map(),
  };
  for (const vm of vms) {
    index.vmById.set(vm.id, vm);
    const nodeId = vm.status.nodeId;
    if (nodeId === undefined) continue;
    push(index.vmsByNode, nodeId, vm);
    const i = slot.get(nodeId);
    if (i !== undefined) {
      index.allocatedVcpus[i]! += vm.spec.cpu.vcpus;
      index.allocatedMemoryMib[i]! += vm.spec.memory.sizeMib;
    }
    for (const key in vm.labels) push(index.vmsByLabel, `${key}=${vm.labels[key]}`, vm);
  }
  return index;
}

function agrees(snapshot: ClusterSnapshot, index: PlainIndex): boolean {
  return index.nodes.every((n, i) => {
    const a = snapshot.node(n.id)?.allocated;
    return (
      a !== undefined &&
      a.vcpus === index.allocatedVcpus[i] &&
      a.memoryMib === index.allocatedMemoryMib[i] &&
      a.vmCount === (index.vmsByNode.get(n.id)?.length ?? 0)
    );
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * runSnapshotBuild times `new ClusterSnapshot({ nodes, vms })` over the placement benchmark's
 * cluster (with anti-affinity groups) and the plain index of the same data, alternating them
 * `repeats` times and reporting each one's median.
 */
export function runSnapshotBuild(nodeCount: number, vmsPerNode: number, repeats: number): SnapshotRun {
  const { nodes, existing: vms } = generateCluster(nodeCount, vmsPerNode, 0, true);
  // Warm both on a small slice so the timed builds run optimised code.
  for (let i = 0; i < 3; i++) {
    new ClusterSnapshot({ nodes: nodes.slice(0, 500), vms: vms.slice(0, 500 * vmsPerNode) });
    plainIndex(nodes.slice(0, 500), vms.slice(0, 500 * vmsPerNode));
  }
  const snapshotMs: number[] = [];
  const plainMs: number[] = [];
  let valid = true;
  for (let r = 0; r < repeats; r++) {
    collectGarbage();
    let t0 = performance.now();
    const snapshot = new ClusterSnapshot({ nodes, vms });
    snapshotMs.push(performance.now() - t0);
    collectGarbage();
    t0 = performance.now();
    const index = plainIndex(nodes, vms);
    plainMs.push(performance.now() - t0);
    valid &&= agrees(snapshot, index);
  }
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    nodes: nodeCount,
    vms: vms.length,
    snapshotMs: round(median(snapshotMs)),
    plainIndexMs: round(median(plainMs)),
    valid,
  };
}
