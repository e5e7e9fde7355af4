import type { AuditEntry } from "../entities/audit-entry";
import type {
  AlertInput,
  AlertRuleInput,
  ClusterInput,
  DrsRecommendationInput,
  ImageInput,
  NodeInput,
  NodeJoinTokenInput,
  ProjectInput,
  SecurityGroupInput,
  StoragePoolInput,
  UserInput,
  VirtualMachineInput,
  VirtualNetworkInput,
  VmSnapshotInput,
  VolumeInput,
  VolumeSnapshotInput,
} from "../resources";

/** Overrides is a deep partial of a create input: objects merge field by field, arrays and scalars replace. */
export type Overrides<T> = {
  [K in keyof T]?: T[K] extends readonly unknown[] ? T[K] : T[K] extends object ? Overrides<T[K]> : T[K];
};

// A per-process token keeps names and ids unique when several test files share one database.
const TOKEN = Math.random().toString(36).slice(2, 8).padEnd(6, "0");
let counter = 0;

/** uniqueSuffix returns `<process token>-<counter>`: fixed width, so ids made later sort later under any collation. */
export function uniqueSuffix(): string {
  counter += 1;
  return `${TOKEN}-${String(counter).padStart(6, "0")}`;
}

/** uniqueName returns a DNS-label name that no other call in this process returns. */
export function uniqueName(prefix = "r"): string {
  return `${prefix}-${uniqueSuffix()}`;
}

/** uniqueId returns a resource id that no other call in this process returns; ids sort in creation order. */
export function uniqueId(prefix = "id"): string {
  return `${prefix}-${uniqueSuffix()}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** merge applies overrides to a base input: plain objects merge recursively, everything else replaces. */
export function merge<T>(base: T, overrides?: Overrides<T>): T {
  if (!overrides) return base;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    const current = out[key];
    out[key] =
      isPlainObject(current) && isPlainObject(value)
        ? merge(current, value as Overrides<typeof current>)
        : value;
  }
  return out as T;
}

let ipCounter = 0;
function nextIp(): string {
  ipCounter += 1;
  return `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255 || 1}`;
}

const NOW = "2026-01-01T00:00:00.000Z";

/**
 * fixtures builds VALID create inputs with unique ids and names, for tests of adapters,
 * engines and services. Parents are named by id: pass the `projectId`, `poolId` … of
 * resources you created (stores may check references).
 */
export const fixtures = {
  /** project builds a Project create input. */
  project(overrides?: Overrides<ProjectInput>): ProjectInput {
    return merge<ProjectInput>({ id: uniqueId("prj"), name: uniqueName("prj"), labels: {} }, overrides);
  },

  /** cluster builds a Cluster create input with default HA and DRS settings. */
  cluster(overrides?: Overrides<ClusterInput>): ClusterInput {
    return merge<ClusterInput>(
      { id: uniqueId("cls"), name: uniqueName("cls"), labels: {}, spec: {} },
      overrides,
    );
  },

  /** node builds a READY compute Node with 2×8×2 CPUs and 64 GiB of memory. */
  node(overrides?: Overrides<NodeInput>): NodeInput {
    const name = uniqueName("node");
    return merge<NodeInput>(
      {
        id: uniqueId("node"),
        name,
        labels: {},
        spec: {
          hostname: `${name}.lab.example`,
          managementIp: nextIp(),
          cpu: { sockets: 2, coresPerSocket: 8, threadsPerCore: 2 },
          memoryMib: 65_536,
        },
        status: { phase: "READY", allocatable: { vcpus: 32, memoryMib: 65_536 } },
      },
      overrides,
    );
  },

  /** vm builds a stopped VM with 2 vCPUs and 2 GiB of memory in a project. */
  vm(overrides: Overrides<VirtualMachineInput> & { projectId: string }): VirtualMachineInput {
    return merge<VirtualMachineInput>(
      {
        id: uniqueId("vm"),
        name: uniqueName("vm"),
        labels: {},
        projectId: overrides.projectId,
        spec: { cpu: { vcpus: 2 }, memory: { sizeMib: 2048 } },
        status: {},
      },
      overrides,
    );
  },

  /** vmSnapshot builds a snapshot of a VM. */
  vmSnapshot(overrides: Overrides<VmSnapshotInput> & { projectId: string; vmId: string }): VmSnapshotInput {
    return merge<VmSnapshotInput>(
      {
        id: uniqueId("vms"),
        name: uniqueName("snap"),
        labels: {},
        projectId: overrides.projectId,
        vmId: overrides.vmId,
      },
      overrides,
    );
  },

  /** storagePool builds a shared 10 TiB Ceph RBD pool. */
  storagePool(overrides?: Overrides<StoragePoolInput>): StoragePoolInput {
    return merge<StoragePoolInput>(
      {
        id: uniqueId("pool"),
        name: uniqueName("pool"),
        labels: {},
        spec: { type: "CEPH_RBD", capacityGib: 10_240 },
      },
      overrides,
    );
  },

  /** volume builds a 20 GiB thin volume in a pool. */
  volume(overrides: Overrides<VolumeInput> & { projectId: string; spec: { poolId: string } }): VolumeInput {
    return merge<VolumeInput>(
      {
        id: uniqueId("vol"),
        name: uniqueName("vol"),
        labels: {},
        projectId: overrides.projectId,
        spec: { poolId: overrides.spec.poolId, sizeGib: 20 },
      },
      overrides,
    );
  },

  /** volumeSnapshot builds a snapshot of a volume. */
  volumeSnapshot(
    overrides: Overrides<VolumeSnapshotInput> & { projectId: string; volumeId: string },
  ): VolumeSnapshotInput {
    return merge<VolumeSnapshotInput>(
      {
        id: uniqueId("vols"),
        name: uniqueName("vsnap"),
        labels: {},
        projectId: overrides.projectId,
        volumeId: overrides.volumeId,
      },
      overrides,
    );
  },

  /** image builds a public qcow2 Linux image. */
  image(overrides?: Overrides<ImageInput>): ImageInput {
    return merge<ImageInput>(
      {
        id: uniqueId("img"),
        name: uniqueName("img"),
        labels: {},
        spec: { format: "QCOW2", osName: "debian-12" },
      },
      overrides,
    );
  },

  /** network builds an overlay network 10.20.0.0/24 with gateway .1 in a project. */
  network(overrides: Overrides<VirtualNetworkInput> & { projectId: string }): VirtualNetworkInput {
    return merge<VirtualNetworkInput>(
      {
        id: uniqueId("net"),
        name: uniqueName("net"),
        labels: {},
        projectId: overrides.projectId,
        spec: { type: "OVERLAY", cidr: "10.20.0.0/24", gateway: "10.20.0.1" },
      },
      overrides,
    );
  },

  /** securityGroup builds a group that allows SSH in, in a project. */
  securityGroup(overrides: Overrides<SecurityGroupInput> & { projectId: string }): SecurityGroupInput {
    return merge<SecurityGroupInput>(
      {
        id: uniqueId("sg"),
        name: uniqueName("sg"),
        labels: {},
        projectId: overrides.projectId,
        spec: {
          rules: [{ id: "ssh", direction: "INGRESS", protocol: "TCP", portRange: { from: 22, to: 22 } }],
        },
      },
      overrides,
    );
  },

  /** alert builds an open WARNING alert with a unique fingerprint. */
  alert(overrides?: Overrides<AlertInput>): AlertInput {
    const fingerprint = uniqueName("fp");
    return merge<AlertInput>(
      {
        id: uniqueId("alert"),
        labels: {},
        severity: "WARNING",
        source: { kind: "Node", name: "node-a" },
        title: "node memory above 90%",
        fingerprint,
      },
      overrides,
    );
  },

  /** alertRule builds a rule that fires when node CPU stays above 90% for a minute. */
  alertRule(overrides?: Overrides<AlertRuleInput>): AlertRuleInput {
    return merge<AlertRuleInput>(
      {
        id: uniqueId("rule"),
        name: uniqueName("rule"),
        labels: {},
        spec: { metric: "node.cpu.percent", operator: "gt", threshold: 90, forSec: 60, severity: "WARNING" },
      },
      overrides,
    );
  },

  /** drsRecommendation builds a pending POWER_ON recommendation for a node of a cluster. */
  drsRecommendation(
    overrides: Overrides<DrsRecommendationInput> & { clusterId: string },
  ): DrsRecommendationInput {
    return merge<DrsRecommendationInput>(
      {
        id: uniqueId("drs"),
        labels: {},
        clusterId: overrides.clusterId,
        priority: "MEDIUM",
        type: "POWER_ON",
        targetNodeId: "node-standby",
        reason: "cluster CPU above threshold",
        impact: { imbalanceBefore: 0.4, imbalanceAfter: 0.2 },
      },
      overrides,
    );
  },

  /** user builds a viewer with a unique username and email. */
  user(overrides?: Overrides<UserInput>): UserInput {
    const username = uniqueName("user");
    return merge<UserInput>(
      { id: uniqueId("user"), labels: {}, username, email: `${username}@example.com`, role: "viewer" },
      overrides,
    );
  },

  /** nodeJoinToken builds an unused join token for three nodes that expires in 2100, with the hash of a made-up secret. */
  nodeJoinToken(overrides?: Overrides<NodeJoinTokenInput>): NodeJoinTokenInput {
    return merge<NodeJoinTokenInput>(
      {
        id: uniqueId("jt"),
        name: uniqueName("join"),
        labels: {},
        secretHash: "n4bQgYhMfWWaL-qgxVrQFaO_TxsrC4Is0V1sFbDwCgg",
        expiresAt: "2100-01-01T00:00:00.000Z",
        maxUses: 3,
        createdBy: "user:admin",
      },
      overrides,
    );
  },

  /** auditEntry builds a successful CreateVM audit entry. */
  auditEntry(overrides?: Overrides<AuditEntry>): AuditEntry {
    return merge<AuditEntry>(
      {
        id: uniqueId("audit"),
        at: NOW,
        actor: { username: "alice" },
        action: "limiquantix.compute.v1.VMService/CreateVM",
        outcome: "SUCCESS",
        details: {},
      },
      overrides,
    );
  },
};
