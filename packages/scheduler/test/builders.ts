import {
  Cluster,
  Node,
  StoragePool,
  type Taint,
  VirtualMachine,
  VirtualNetwork,
  Volume,
} from "@limiquantix/domain";

const T = "2026-01-01T00:00:00.000Z";
const meta = (id: string, labels: Record<string, string> = {}) => ({
  id,
  name: id,
  labels,
  resourceVersion: 1,
  createdAt: T,
  updatedAt: T,
});

/** NodeOptions are the knobs tests turn on a node. */
export interface NodeOptions {
  labels?: Record<string, string>;
  vcpus?: number;
  memoryMib?: number;
  phase?: "PENDING" | "READY" | "NOT_READY" | "MAINTENANCE" | "DECOMMISSIONED";
  cordoned?: boolean;
  roles?: ("compute" | "storage" | "network" | "management")[];
  taints?: Taint[];
  clusterId?: string;
}

/** node builds a valid, READY compute node (8 vCPUs, 16 GiB allocatable unless told otherwise). */
export function node(id: string, o: NodeOptions = {}): Node {
  const vcpus = o.vcpus ?? 8;
  const memoryMib = o.memoryMib ?? 16_384;
  return Node.parse({
    ...meta(id, o.labels),
    clusterId: o.clusterId,
    spec: {
      hostname: `${id}.lab`,
      managementIp: "10.0.0.1",
      roles: o.roles ?? ["compute"],
      taints: o.taints ?? [],
      cpu: { sockets: 1, coresPerSocket: vcpus },
      memoryMib: Math.max(512, memoryMib),
      cordoned: o.cordoned ?? false,
    },
    status: { phase: o.phase ?? "READY", allocatable: { vcpus, memoryMib } },
  });
}

/** vm builds a valid VM (1 vCPU, 1 GiB unless told otherwise); `spec` overrides spec fields before parsing. */
export function vm(
  id: string,
  o: {
    labels?: Record<string, string>;
    vcpus?: number;
    memoryMib?: number;
    nodeId?: string;
    spec?: object;
  } = {},
): VirtualMachine {
  return VirtualMachine.parse({
    ...meta(id, o.labels),
    projectId: "p1",
    spec: { cpu: { vcpus: o.vcpus ?? 1 }, memory: { sizeMib: o.memoryMib ?? 1024 }, ...o.spec },
    status: { nodeId: o.nodeId },
  });
}

/** cluster builds a cluster with the given overcommit ratios. */
export function cluster(id: string, overcommit: { cpu: number; memory: number }): Cluster {
  return Cluster.parse({ ...meta(id), spec: { overcommit } });
}

/** pool builds a storage pool reached by the given nodes (every node when empty). */
export function pool(id: string, nodeIds: string[] = []): StoragePool {
  return StoragePool.parse({ ...meta(id), spec: { type: "NFS", capacityGib: 100, nodeIds } });
}

/** volume builds a volume in a pool. */
export function volume(id: string, poolId: string): Volume {
  return Volume.parse({ ...meta(id), projectId: "p1", spec: { poolId, sizeGib: 10 } });
}

/** network builds an overlay network carried by the given nodes (every node when empty). */
export function network(id: string, nodeIds: string[] = []): VirtualNetwork {
  return VirtualNetwork.parse({
    ...meta(id),
    projectId: "p1",
    spec: { type: "OVERLAY", cidr: "10.1.0.0/24", nodeIds },
  });
}
