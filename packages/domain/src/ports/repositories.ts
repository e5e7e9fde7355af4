import type { Alert } from "../entities/alert";
import type { Cluster } from "../entities/cluster";
import type { DrsRecommendation, RecommendationState } from "../entities/drs-recommendation";
import type { SecurityGroup, VirtualNetwork } from "../entities/network";
import type { Node, NodePhase, NodeStatus, NodeUsage } from "../entities/node";
import type { NodeJoinToken } from "../entities/node-join-token";
import type { Project } from "../entities/project";
import type { Image, StoragePool, Volume, VolumePhase, VolumeSnapshot } from "../entities/storage";
import type { User } from "../entities/user";
import type { PowerState, VirtualMachine, VmSnapshot, VmStatus } from "../entities/virtual-machine";
import type { AlertRule } from "../entities/alert";
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
import type { NamedRepository, Repository } from "./repository";
import { serviceIdentifier } from "./service-identifier";

/** ProjectRepository stores projects (names unique globally). */
export type ProjectRepository = NamedRepository<Project, ProjectInput>;
/** ProjectRepository is the service identifier of the ProjectRepository port. */
export const ProjectRepository = serviceIdentifier<ProjectRepository>("ProjectRepository");

/** ClusterRepository stores clusters (names unique globally). */
export type ClusterRepository = NamedRepository<Cluster, ClusterInput>;
/** ClusterRepository is the service identifier of the ClusterRepository port. */
export const ClusterRepository = serviceIdentifier<ClusterRepository>("ClusterRepository");

/** NodeHeartbeat is what an agent's heartbeat changes on its node. */
export interface NodeHeartbeat {
  readonly at: string;
  readonly usage?: NodeUsage;
  readonly agentVersion?: string;
}

/** NodeRepository stores nodes (names and hostnames unique globally). */
export interface NodeRepository extends NamedRepository<Node, NodeInput, NodePhase> {
  /** findByHostname returns the node with this hostname, or undefined. */
  findByHostname(hostname: string): Promise<Node | undefined>;
  /** listSchedulable returns every node new VMs may go to (READY, not cordoned, compute role), optionally of one cluster. */
  listSchedulable(clusterId?: string): Promise<readonly Node[]>;
  /** updateStatus replaces a node's status; with expectedVersion, only if that is still its resourceVersion. */
  updateStatus(id: string, status: NodeStatus, expectedVersion?: number): Promise<Node>;
  /**
   * replaceStatus stores `status` on `node`, the node as last read or written, without reading it
   * again: only if `node.resourceVersion` is still the stored one (Conflict otherwise, NotFound when
   * it is gone). Optional: without it, `updateStatus(node.id, status, node.resourceVersion)` does
   * the same with a read.
   */
  replaceStatus?(node: Node, status: NodeStatus): Promise<Node>;
  /** recordHeartbeat stores the heartbeat's time, usage and agent version (a write: resourceVersion grows). */
  recordHeartbeat(id: string, heartbeat: NodeHeartbeat): Promise<Node>;
}
/** NodeRepository is the service identifier of the NodeRepository port. */
export const NodeRepository = serviceIdentifier<NodeRepository>("NodeRepository");

/** VmTotals are how many VMs there are and the vCPUs and memory they ask for, added up. */
export interface VmTotals {
  readonly vms: number;
  readonly vcpus: number;
  readonly memoryMib: number;
}

/** VmRepository stores virtual machines (names unique per project). */
export interface VmRepository extends NamedRepository<VirtualMachine, VirtualMachineInput, PowerState> {
  /** totalsByProject counts a project's VMs and adds up their vCPUs and memory (zeros for a project with none). */
  totalsByProject(projectId: string): Promise<VmTotals>;
  /** listByNode returns every VM placed on a node (not paged: a node holds a bounded number). */
  listByNode(nodeId: string): Promise<readonly VirtualMachine[]>;
  /** countByNode returns how many VMs are placed on each of the given nodes (0 for a node with none). */
  countByNode(nodeIds: readonly string[]): Promise<ReadonlyMap<string, number>>;
  /** updateStatus replaces a VM's status; with expectedVersion, only if that is still its resourceVersion. */
  updateStatus(id: string, status: VmStatus, expectedVersion?: number): Promise<VirtualMachine>;
  /**
   * createOnNode stores a new VM together with `nodeStatus` on `node`, the node as last read or
   * written (its allocation charged with the VM, say), in one write: both or neither. The node must
   * still be at `node.resourceVersion` (Conflict otherwise, NotFound when it is gone); a VM whose id
   * or name is taken is AlreadyExists and the node is left as it was. Optional: without it,
   * `NodeRepository.updateStatus(node.id, nodeStatus, node.resourceVersion)` then `create` in one
   * unit of work do the same.
   */
  createOnNode?(
    input: VirtualMachineInput,
    node: Node,
    nodeStatus: NodeStatus,
  ): Promise<{ readonly vm: VirtualMachine; readonly node: Node }>;
}
/** VmRepository is the service identifier of the VmRepository port. */
export const VmRepository = serviceIdentifier<VmRepository>("VmRepository");

/** VmSnapshotRepository stores VM snapshots (names unique per VM). */
export type VmSnapshotRepository = NamedRepository<VmSnapshot, VmSnapshotInput>;
/** VmSnapshotRepository is the service identifier of the VmSnapshotRepository port. */
export const VmSnapshotRepository = serviceIdentifier<VmSnapshotRepository>("VmSnapshotRepository");

/** StoragePoolRepository stores storage pools (names unique globally). */
export type StoragePoolRepository = NamedRepository<StoragePool, StoragePoolInput>;
/** StoragePoolRepository is the service identifier of the StoragePoolRepository port. */
export const StoragePoolRepository = serviceIdentifier<StoragePoolRepository>("StoragePoolRepository");

/** VolumeTotals are how many volumes there are and their sizes, added up. */
export interface VolumeTotals {
  readonly volumes: number;
  readonly storageGib: number;
}

/** VolumeRepository stores volumes (names unique per project). */
export interface VolumeRepository extends NamedRepository<Volume, VolumeInput, VolumePhase> {
  /** totalsByProject counts a project's volumes and adds up their sizes in GiB (zeros for a project with none). */
  totalsByProject(projectId: string): Promise<VolumeTotals>;
  /** sumSizeByPool returns the total size in GiB of the volumes carved from a pool. */
  sumSizeByPool(poolId: string): Promise<number>;
}
/** VolumeRepository is the service identifier of the VolumeRepository port. */
export const VolumeRepository = serviceIdentifier<VolumeRepository>("VolumeRepository");

/** VolumeSnapshotRepository stores volume snapshots (names unique per volume). */
export type VolumeSnapshotRepository = NamedRepository<VolumeSnapshot, VolumeSnapshotInput>;
/** VolumeSnapshotRepository is the service identifier of the VolumeSnapshotRepository port. */
export const VolumeSnapshotRepository =
  serviceIdentifier<VolumeSnapshotRepository>("VolumeSnapshotRepository");

/** ImageRepository stores images (names unique globally). */
export type ImageRepository = NamedRepository<Image, ImageInput>;
/** ImageRepository is the service identifier of the ImageRepository port. */
export const ImageRepository = serviceIdentifier<ImageRepository>("ImageRepository");

/** VirtualNetworkRepository stores virtual networks (names unique per project). */
export type VirtualNetworkRepository = NamedRepository<VirtualNetwork, VirtualNetworkInput>;
/** VirtualNetworkRepository is the service identifier of the VirtualNetworkRepository port. */
export const VirtualNetworkRepository =
  serviceIdentifier<VirtualNetworkRepository>("VirtualNetworkRepository");

/** SecurityGroupRepository stores security groups with their rules (names unique per project). */
export type SecurityGroupRepository = NamedRepository<SecurityGroup, SecurityGroupInput>;
/** SecurityGroupRepository is the service identifier of the SecurityGroupRepository port. */
export const SecurityGroupRepository = serviceIdentifier<SecurityGroupRepository>("SecurityGroupRepository");

/** AlertRepository stores alerts. */
export interface AlertRepository extends Repository<Alert, AlertInput, Alert["state"]> {
  /** findActiveByFingerprint returns the unresolved alert with this fingerprint, or undefined. */
  findActiveByFingerprint(fingerprint: string): Promise<Alert | undefined>;
}
/** AlertRepository is the service identifier of the AlertRepository port. */
export const AlertRepository = serviceIdentifier<AlertRepository>("AlertRepository");

/** AlertRuleRepository stores alert rules (names unique globally). */
export type AlertRuleRepository = NamedRepository<AlertRule, AlertRuleInput>;
/** AlertRuleRepository is the service identifier of the AlertRuleRepository port. */
export const AlertRuleRepository = serviceIdentifier<AlertRuleRepository>("AlertRuleRepository");

/** DrsRecommendationRepository stores DRS recommendations. */
export type DrsRecommendationRepository = Repository<
  DrsRecommendation,
  DrsRecommendationInput,
  RecommendationState
>;
/** DrsRecommendationRepository is the service identifier of the DrsRecommendationRepository port. */
export const DrsRecommendationRepository = serviceIdentifier<DrsRecommendationRepository>(
  "DrsRecommendationRepository",
);

/** UserRepository stores users (usernames and emails unique). `findByName` looks up by username. */
export interface UserRepository extends NamedRepository<User, UserInput> {
  /** findByEmail returns the user with this email, or undefined. */
  findByEmail(email: string): Promise<User | undefined>;
}
/** UserRepository is the service identifier of the UserRepository port. */
export const UserRepository = serviceIdentifier<UserRepository>("UserRepository");

/** NodeJoinTokenRepository stores node join tokens (names unique globally). */
export type NodeJoinTokenRepository = NamedRepository<NodeJoinToken, NodeJoinTokenInput>;
/** NodeJoinTokenRepository is the service identifier of the NodeJoinTokenRepository port. */
export const NodeJoinTokenRepository = serviceIdentifier<NodeJoinTokenRepository>("NodeJoinTokenRepository");
