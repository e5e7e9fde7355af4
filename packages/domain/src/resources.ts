import type { z } from "zod";
import type { Resource, ServerManagedField } from "./common";
import { Alert, AlertRule } from "./entities/alert";
import { Cluster } from "./entities/cluster";
import { DrsRecommendation } from "./entities/drs-recommendation";
import { SecurityGroup, VirtualNetwork } from "./entities/network";
import { Node } from "./entities/node";
import { Project } from "./entities/project";
import { Image, StoragePool, Volume, VolumeSnapshot } from "./entities/storage";
import { User } from "./entities/user";
import { VirtualMachine, VmSnapshot } from "./entities/virtual-machine";
import type { FilterKey } from "./ports/list-filter";

/** RESOURCE_KINDS lists every kind of stored resource. */
export const RESOURCE_KINDS = [
  "Project",
  "Cluster",
  "Node",
  "VirtualMachine",
  "VmSnapshot",
  "StoragePool",
  "Volume",
  "VolumeSnapshot",
  "Image",
  "VirtualNetwork",
  "SecurityGroup",
  "Alert",
  "AlertRule",
  "DrsRecommendation",
  "User",
] as const;
/** ResourceKind names one kind of stored resource. */
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** UniqueKey is a set of fields (dotted paths) no two resources of a kind may share; a resource with any of them absent is exempt. */
export interface UniqueKey {
  readonly fields: readonly string[];
  /** How the key is named in messages, e.g. `name in project`. */
  readonly description: string;
}

/**
 * ResourceDescriptor tells adapters what they need to store a kind generically: its schema,
 * unique keys, which filter keys it supports (and the path each reads), and its event topic.
 */
export interface ResourceDescriptor<T extends Resource = Resource> {
  readonly kind: ResourceKind;
  /** Event topic on which changes of this kind are published. */
  readonly topic: string;
  readonly schema: z.ZodType<T>;
  readonly uniqueKeys: readonly UniqueKey[];
  /** Supported filter keys and the dotted path each one compares. */
  readonly filters: Readonly<Partial<Record<FilterKey, string>>>;
  /** The field that names a resource in messages and in name lookups (`name`, or `username` for users). */
  readonly nameField: string;
  /** Whether names are unique per project (`projectId`) rather than globally. */
  readonly projectScoped: boolean;
}

/** InputOf is the create input of a schema: its input type without the fields the repository assigns. */
export type InputOf<S extends z.ZodType> = Omit<z.input<S>, ServerManagedField>;

function d<T extends Resource>(x: ResourceDescriptor<T>): ResourceDescriptor<T> {
  return Object.freeze(x);
}

const byProjectName: UniqueKey = { fields: ["projectId", "name"], description: "name in its project" };
const byName: UniqueKey = { fields: ["name"], description: "name" };

/** RESOURCES describes every stored kind. */
export const RESOURCES = {
  Project: d<Project>({
    kind: "Project",
    topic: "projects",
    schema: Project,
    uniqueKeys: [byName],
    filters: {},
    nameField: "name",
    projectScoped: false,
  }),
  Cluster: d<Cluster>({
    kind: "Cluster",
    topic: "clusters",
    schema: Cluster,
    uniqueKeys: [byName],
    filters: {},
    nameField: "name",
    projectScoped: false,
  }),
  Node: d<Node>({
    kind: "Node",
    topic: "nodes",
    schema: Node,
    uniqueKeys: [byName, { fields: ["spec.hostname"], description: "hostname" }],
    filters: { clusterId: "clusterId", state: "status.phase" },
    nameField: "name",
    projectScoped: false,
  }),
  VirtualMachine: d<VirtualMachine>({
    kind: "VirtualMachine",
    topic: "vms",
    schema: VirtualMachine,
    uniqueKeys: [byProjectName],
    filters: { projectId: "projectId", clusterId: "clusterId", nodeId: "status.nodeId", state: "status.powerState" },
    nameField: "name",
    projectScoped: true,
  }),
  VmSnapshot: d<VmSnapshot>({
    kind: "VmSnapshot",
    topic: "vm-snapshots",
    schema: VmSnapshot,
    uniqueKeys: [{ fields: ["vmId", "name"], description: "name among the VM's snapshots" }],
    filters: { projectId: "projectId", vmId: "vmId", state: "status.phase" },
    nameField: "name",
    projectScoped: true,
  }),
  StoragePool: d<StoragePool>({
    kind: "StoragePool",
    topic: "storage-pools",
    schema: StoragePool,
    uniqueKeys: [byName],
    filters: { projectId: "projectId", clusterId: "clusterId", state: "status.phase" },
    nameField: "name",
    projectScoped: false,
  }),
  Volume: d<Volume>({
    kind: "Volume",
    topic: "volumes",
    schema: Volume,
    uniqueKeys: [byProjectName],
    filters: { projectId: "projectId", poolId: "spec.poolId", vmId: "status.attachment.vmId", state: "status.phase" },
    nameField: "name",
    projectScoped: true,
  }),
  VolumeSnapshot: d<VolumeSnapshot>({
    kind: "VolumeSnapshot",
    topic: "volume-snapshots",
    schema: VolumeSnapshot,
    uniqueKeys: [{ fields: ["volumeId", "name"], description: "name among the volume's snapshots" }],
    filters: { projectId: "projectId", volumeId: "volumeId", state: "status.phase" },
    nameField: "name",
    projectScoped: true,
  }),
  Image: d<Image>({
    kind: "Image",
    topic: "images",
    schema: Image,
    uniqueKeys: [byName],
    filters: { projectId: "projectId", state: "status.phase" },
    nameField: "name",
    projectScoped: false,
  }),
  VirtualNetwork: d<VirtualNetwork>({
    kind: "VirtualNetwork",
    topic: "networks",
    schema: VirtualNetwork,
    uniqueKeys: [byProjectName],
    filters: { projectId: "projectId", state: "status.phase" },
    nameField: "name",
    projectScoped: true,
  }),
  SecurityGroup: d<SecurityGroup>({
    kind: "SecurityGroup",
    topic: "security-groups",
    schema: SecurityGroup,
    uniqueKeys: [byProjectName],
    filters: { projectId: "projectId" },
    nameField: "name",
    projectScoped: true,
  }),
  Alert: d<Alert>({
    kind: "Alert",
    topic: "alerts",
    schema: Alert,
    uniqueKeys: [],
    filters: { projectId: "projectId", clusterId: "clusterId", state: "state" },
    nameField: "title",
    projectScoped: false,
  }),
  AlertRule: d<AlertRule>({
    kind: "AlertRule",
    topic: "alert-rules",
    schema: AlertRule,
    uniqueKeys: [byName],
    filters: {},
    nameField: "name",
    projectScoped: false,
  }),
  DrsRecommendation: d<DrsRecommendation>({
    kind: "DrsRecommendation",
    topic: "drs-recommendations",
    schema: DrsRecommendation,
    uniqueKeys: [],
    filters: { clusterId: "clusterId", vmId: "vmId", state: "state" },
    nameField: "id",
    projectScoped: false,
  }),
  User: d<User>({
    kind: "User",
    topic: "users",
    schema: User,
    uniqueKeys: [
      { fields: ["username"], description: "username" },
      { fields: ["email"], description: "email" },
    ],
    filters: {},
    nameField: "username",
    projectScoped: false,
  }),
} as const satisfies { readonly [K in ResourceKind]: ResourceDescriptor };

/** ProjectInput is what creating a Project takes. */
export type ProjectInput = InputOf<typeof Project>;
/** ClusterInput is what creating a Cluster takes. */
export type ClusterInput = InputOf<typeof Cluster>;
/** NodeInput is what creating a Node takes. */
export type NodeInput = InputOf<typeof Node>;
/** VirtualMachineInput is what creating a VirtualMachine takes. */
export type VirtualMachineInput = InputOf<typeof VirtualMachine>;
/** VmSnapshotInput is what creating a VmSnapshot takes. */
export type VmSnapshotInput = InputOf<typeof VmSnapshot>;
/** StoragePoolInput is what creating a StoragePool takes. */
export type StoragePoolInput = InputOf<typeof StoragePool>;
/** VolumeInput is what creating a Volume takes. */
export type VolumeInput = InputOf<typeof Volume>;
/** VolumeSnapshotInput is what creating a VolumeSnapshot takes. */
export type VolumeSnapshotInput = InputOf<typeof VolumeSnapshot>;
/** ImageInput is what creating an Image takes. */
export type ImageInput = InputOf<typeof Image>;
/** VirtualNetworkInput is what creating a VirtualNetwork takes. */
export type VirtualNetworkInput = InputOf<typeof VirtualNetwork>;
/** SecurityGroupInput is what creating a SecurityGroup takes. */
export type SecurityGroupInput = InputOf<typeof SecurityGroup>;
/** AlertInput is what creating an Alert takes. */
export type AlertInput = InputOf<typeof Alert>;
/** AlertRuleInput is what creating an AlertRule takes. */
export type AlertRuleInput = InputOf<typeof AlertRule>;
/** DrsRecommendationInput is what creating a DrsRecommendation takes. */
export type DrsRecommendationInput = InputOf<typeof DrsRecommendation>;
/** UserInput is what creating a User takes. */
export type UserInput = InputOf<typeof User>;
