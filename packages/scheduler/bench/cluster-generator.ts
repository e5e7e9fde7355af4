// Builds large, valid clusters for the benchmark without parsing every object: one template of
// each kind goes through the domain schemas, the rest are copies with their own ids and labels.
import { Node, type Taint, VirtualMachine, type VmAffinityTerm } from "@limiquantix/domain";

const T = "2026-01-01T00:00:00.000Z";
const ZONES = 8;

/** GeneratedCluster is a benchmark cluster: nodes, the VMs already on them, and VMs waiting to be placed. */
export interface GeneratedCluster {
  readonly nodes: Node[];
  readonly existing: VirtualMachine[];
  readonly pending: VirtualMachine[];
}

const nodeTemplate = Node.parse({
  id: "tpl",
  name: "tpl",
  resourceVersion: 1,
  createdAt: T,
  updatedAt: T,
  spec: {
    hostname: "tpl.lab",
    managementIp: "10.0.0.1",
    cpu: { sockets: 2, coresPerSocket: 16, threadsPerCore: 2 },
    memoryMib: 262_144,
  },
  status: { phase: "READY", allocatable: { vcpus: 64, memoryMib: 262_144 } },
});

const vmTemplate = VirtualMachine.parse({
  id: "tpl",
  name: "tpl",
  resourceVersion: 1,
  createdAt: T,
  updatedAt: T,
  projectId: "bench",
  spec: { cpu: { vcpus: 2 }, memory: { sizeMib: 4096 } },
  status: {},
});

function pad(i: number): string {
  return String(i).padStart(6, "0");
}

function makeNode(i: number): Node {
  const taints: Taint[] = [];
  if (i % 10 === 3) taints.push({ key: "dedicated", value: "gpu", effect: "NoSchedule" });
  if (i % 10 === 7) taints.push({ key: "retiring", value: "", effect: "PreferNoSchedule" });
  return {
    ...nodeTemplate,
    id: `node-${pad(i)}`,
    name: `node-${pad(i)}`,
    labels: {
      zone: `z${i % ZONES}`,
      rack: `r${i % 50}`,
      tier: ["gold", "silver", "bronze"][i % 3]!,
      ssd: String(i % 2 === 0),
    },
    spec: { ...nodeTemplate.spec, hostname: `node-${pad(i)}.lab`, taints },
  };
}

function antiTerm(group: string, topologyKey: string): VmAffinityTerm {
  return { selector: [{ key: "group", operator: "=", values: [group] }], topologyKey, weight: 100 };
}

function makeVm(
  id: string,
  labels: Record<string, string>,
  nodeId: string | undefined,
  anti?: VmAffinityTerm,
): VirtualMachine {
  const affinity = anti
    ? { ...vmTemplate.spec.affinity, vmAntiAffinity: { required: [anti], preferred: [] } }
    : vmTemplate.spec.affinity;
  return {
    ...vmTemplate,
    id,
    name: id,
    labels,
    spec: { ...vmTemplate.spec, affinity },
    status: { ...vmTemplate.status, nodeId },
  };
}

/**
 * generateCluster builds `nodeCount` nodes (zone, rack, tier and ssd labels; 10% tainted
 * NoSchedule, 10% PreferNoSchedule) with `vmsPerNode` VMs each, and `pending` VMs to place. With
 * `affinity`, 10% of the VMs (existing and pending) belong to anti-affinity groups of five, by node,
 * and some pending groups spread by zone.
 */
export function generateCluster(
  nodeCount: number,
  vmsPerNode: number,
  pendingCount: number,
  affinity: boolean,
): GeneratedCluster {
  const nodes = Array.from({ length: nodeCount }, (_, i) => makeNode(i));
  const existing: VirtualMachine[] = [];
  let groupSeq = 0;
  for (let i = 0; i < nodeCount; i++) {
    for (let k = 0; k < vmsPerNode; k++) {
      const seq = i * vmsPerNode + k;
      existing.push(makeVm(`vm-${pad(seq)}`, { app: `app-${seq % 500}` }, nodes[i]!.id));
    }
  }
  if (affinity) {
    // Every tenth existing VM joins a group of five whose members sit on five different nodes.
    const members = Math.floor(existing.length / 10 / 5) * 5;
    for (let m = 0; m < members; m++) {
      const g = `g${Math.floor(m / 5)}`;
      const idx = ((m % 5) * Math.floor(nodeCount / 5) + Math.floor(m / 5)) % nodeCount;
      const vmIdx = idx * vmsPerNode + (Math.floor(m / 5) % vmsPerNode);
      const old = existing[vmIdx]!;
      existing[vmIdx] = makeVm(old.id, { ...old.labels, group: g }, old.status.nodeId, antiTerm(g, "node"));
    }
    groupSeq = members / 5;
  }
  const pending: VirtualMachine[] = [];
  for (let p = 0; p < pendingCount; p++) {
    const id = `new-${pad(p)}`;
    let vm = makeVm(id, { app: `app-${p % 500}` }, undefined);
    if (p % 3 === 0)
      vm = {
        ...vm,
        spec: { ...vm.spec, nodeSelector: [{ key: "tier", operator: "in", values: ["gold", "silver"] }] },
      };
    if (p % 10 === 1)
      vm = {
        ...vm,
        spec: {
          ...vm.spec,
          tolerations: [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }],
        },
      };
    if (affinity && p % 10 === 5) {
      // Half join an existing node-spread group, half form new zone-spread groups of four.
      const zoneGroup = p % 20 === 5;
      const g = zoneGroup ? `zg${Math.floor(p / 80)}` : `g${Math.floor(p / 20) % Math.max(1, groupSeq)}`;
      vm = makeVm(id, { ...vm.labels, group: g }, undefined, antiTerm(g, zoneGroup ? "zone" : "node"));
      vm = {
        ...vm,
        spec: {
          ...vm.spec,
          nodeSelector: p % 3 === 0 ? [{ key: "tier", operator: "in", values: ["gold", "silver"] }] : [],
        },
      };
    }
    pending.push(vm);
  }
  return { nodes, existing, pending };
}
