// A seeded, skewed cluster for the DRS and HA benchmarks: every twentieth host carries about twice
// the VMs of the others, VMs vary in size, and some form anti-affinity groups across hosts.
import { Node, type RestartPriority, VirtualMachine } from "@limiquantix/domain";

const T = "2026-01-01T00:00:00.000Z";

/** SkewedCluster is the benchmark's starting point: nodes and the VMs placed on them. */
export interface SkewedCluster {
  readonly nodes: Node[];
  readonly vms: VirtualMachine[];
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
  spec: { cpu: { vcpus: 2 }, memory: { sizeMib: 4096 }, desiredPowerState: "RUNNING" },
  status: {},
});

const PRIORITIES: readonly RestartPriority[] = ["high", "medium", "low"];

/** generateSkewedCluster builds `hosts` nodes carrying `vmCount` VMs, hot hosts (every twentieth) with about twice the share. */
export function generateSkewedCluster(hosts: number, vmCount: number, seed = 42): SkewedCluster {
  const rand = mulberry32(seed);
  const nodes = Array.from({ length: hosts }, (_, i): Node => {
    const id = `node-${String(i).padStart(5, "0")}`;
    return {
      ...nodeTemplate,
      id,
      name: id,
      labels: { zone: `z${i % 8}` },
      spec: { ...nodeTemplate.spec, hostname: `${id}.lab` },
    };
  });
  const hot = (i: number) => i % 20 === 0;
  const weight = nodes.reduce((w, _, i) => w + (hot(i) ? 1.9 : 1), 0);
  const vms: VirtualMachine[] = [];
  const capCpu = Math.floor(64 * 2.0);
  const capMem = Math.floor(262_144 * 1.5);
  let k = 0;
  let carry = 0;
  for (let i = 0; i < hosts; i++) {
    const remaining = vmCount - k;
    const fair = Math.round((vmCount * (hot(i) ? 1.9 : 1)) / weight);
    const share = i === hosts - 1 ? remaining : Math.min(remaining, fair + carry);
    let cpu = 0;
    let mem = 0;
    let j = 0;
    for (; j < share; j++, k++) {
      let vcpus = [1, 1, 2, 2, 4][Math.floor(rand() * 5)]!;
      let memoryMib = vcpus * (rand() < 0.5 ? 2048 : 4096);
      // A host never starts overcommitted: a VM that does not fit shrinks, or waits for the next host.
      if (cpu + vcpus > capCpu || mem + memoryMib > capMem) {
        vcpus = 1;
        memoryMib = 2048;
        if (cpu + vcpus > capCpu || mem + memoryMib > capMem) break;
      }
      cpu += vcpus;
      mem += memoryMib;
      const id = `vm-${String(k).padStart(6, "0")}`;
      // The first VM of each host joins a group of three spread over three consecutive hosts.
      const group = j === 0 ? `g${Math.floor(i / 3)}` : undefined;
      const anti =
        group === undefined
          ? []
          : [
              {
                selector: [{ key: "group", operator: "=" as const, values: [group] }],
                topologyKey: "node",
                weight: 100,
              },
            ];
      vms.push({
        ...vmTemplate,
        id,
        name: id,
        labels: group === undefined ? { app: `app-${k % 100}` } : { app: `app-${k % 100}`, group },
        spec: {
          ...vmTemplate.spec,
          cpu: { vcpus },
          memory: { sizeMib: memoryMib },
          ha: { enabled: true, restartPriority: PRIORITIES[k % 3]! },
          affinity: { ...vmTemplate.spec.affinity, vmAntiAffinity: { required: anti, preferred: [] } },
        },
        status: { ...vmTemplate.status, nodeId: nodes[i]!.id },
      });
    }
    carry = share - j;
  }
  return { nodes, vms };
}
