import type { z } from "zod";
import type { Resource, ServerManagedField } from "./common";
import { Alert, AlertRule } from "./entities/alert";
import { Cluster } from "./entities/cluster";
import { DrsRecommendation } from "./entities/drs-recommendation";
import { SecurityGroup, VirtualNetwork } from "./entities/network";
import { Node } from "./entities/node";
import { NodeJoinToken } from "./entities/node-join-token";
import { Project } from "./entities/project";
import { Image, StoragePool, Volume, VolumeSnapshot } from "./entities/storage";
import { User } from "./entities/user";
import { VirtualMachine, VmSnapshot } from "./entities/virtual-machine";
import type { FilterKey } from "./ports/list-filter";
import {
  AlertRepository,
  AlertRuleRepository,
  ClusterRepository,
  DrsRecommendationRepository,
  ImageRepository,
  NodeJoinTokenRepository,
  NodeRepository,
  ProjectRepository,
  SecurityGroupRepository,
  StoragePoolRepository,
  UserRepository,
  VirtualNetworkRepository,
  VmRepository,
  VmSnapshotRepository,
  VolumeRepository,
  VolumeSnapshotRepository,
} from "./ports/repositories";
import type { ServiceIdentifier } from "./ports/service-identifier";

/** UniqueKey is a set of fields (dotted paths) no two resources of a kind may share; a resource with any of them absent is exempt. */
export interface UniqueKey {
  readonly fields: readonly string[];
  /** How the key is named in messages, e.g. `name in project`. */
  readonly description: string;
}

/**
 * KindSpec is one row of the resource table with its literal types: everything the rest of the
 * code needs to know about a stored kind, apart from its name.
 */
export interface KindSpec<S extends z.ZodType<Resource>, Key extends string, Topic extends string, Port> {
  /** The property of the Repositories bundle that holds this kind's repository (`vms`). */
  readonly repositoryKey: Key;
  /** The service identifier of this kind's repository port. */
  readonly port: ServiceIdentifier<Port>;
  /** Event topic on which changes of this kind are published. */
  readonly topic: Topic;
  readonly schema: S;
  readonly uniqueKeys: readonly UniqueKey[];
  /** Supported filter keys and the dotted path each one compares. */
  readonly filters: Readonly<Partial<Record<FilterKey, string>>>;
  /** The field that names a resource in messages and in name lookups (`name`, or `username` for users). */
  readonly nameField: string;
  /** Whether names are unique per project (`projectId`) rather than globally. */
  readonly projectScoped: boolean;
}

type AnyKindSpec = KindSpec<z.ZodType<Resource>, string, string, unknown>;

/**
 * ResourceDescriptor tells adapters what they need to store a kind generically: its schema,
 * unique keys, which filter keys it supports (and the path each reads), its event topic, and
 * where its repository sits in the Repositories bundle and among the ports.
 */
export interface ResourceDescriptor<T extends Resource = Resource>
  extends KindSpec<z.ZodType<T>, string, string, unknown> {
  readonly kind: ResourceKind;
}

/** InputOf is the create input of a schema: its input type without the fields the repository assigns. */
export type InputOf<S extends z.ZodType> = Omit<z.input<S>, ServerManagedField>;

function kind<S extends z.ZodType<Resource>, const Key extends string, const Topic extends string, Port>(
  spec: KindSpec<S, Key, Topic, Port>,
): KindSpec<S, Key, Topic, Port> {
  return spec;
}

// Each row gets its own name as `kind`, so the name is written once.
function table<M extends Readonly<Record<string, AnyKindSpec>>>(
  rows: M,
): { readonly [K in keyof M]: M[K] & { readonly kind: K } } {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(rows)) out[name] = Object.freeze({ kind: name, ...spec });
  return Object.freeze(out) as { readonly [K in keyof M]: M[K] & { readonly kind: K } };
}

const byProjectName: UniqueKey = { fields: ["projectId", "name"], description: "name in its project" };
const byName: UniqueKey = { fields: ["name"], description: "name" };

/**
 * RESOURCES describes every stored kind, and is the one list of them: RESOURCE_KINDS, the
 * Repositories bundle, the event topics of resources, the adapters' repositories and bindings
 * and the conformance cases all follow from it. A new kind is a row here plus its adapter code.
 */
export const RESOURCES = table({
  Project: kind({
    repositoryKey: "projects",
    port: ProjectRepository,
    topic: "projects",
    schema: Project,
    uniqueKeys: [byName],
    filters: {},
    nameField: "name",
    projectScoped: false,
  }),
  Cluster: kind({
    repositoryKey: "clusters",
    port: ClusterRepository,
    topic: "clusters",
    schema: Cluster,
    uniqueKeys: [byName],
    filters: {},
    nameField: "name",
    projectScoped: false,
  }),
  Node: kind({
    repositoryKey: "nodes",
    port: NodeRepository,
    topic: "nodes",
    schema: Node,
    uniqueKeys: [byName, { fields: ["spec.hostname"], description: "hostname" }],
    filters: { clusterId: "clusterId", state: "status.phase" },
    nameField: "name",
    projectScoped: false,
  }),
  VirtualMachine: kind({
    repositoryKey: "vms",
    port: VmRepository,
    topic: "vms",
    schema: VirtualMachine,
    uniqueKeys: [byProjectName],
    filters: {
      projectId: "projectId",
      clusterId: "clusterId",
      nodeId: "status.nodeId",
      state: "status.powerState",
    },
    nameField: "name",
    projectScoped: true,
  }),
  VmSnapshot: kind({
    repositoryKey: "vmSnapshots",
    port: VmSnapshotRepository,
    topic: "vm-snapshots",
    schema: VmSnapshot,
    uniqueKeys: [{ fields: ["vmId", "name"], description: "name among the VM's snapshots" }],
    filters: { projectId: "projectId", vmId: "vmId", state: "status.phase" },
    nameField: "name",
    projectScoped: true,
  }),
  StoragePool: kind({
    repositoryKey: "storagePools",
    port: StoragePoolRepository,
    topic: "storage-pools",
    schema: StoragePool,
    uniqueKeys: [byName],
    filters: { projectId: "projectId", clusterId: "clusterId", state: "status.phase" },
    nameField: "name",
    projectScoped: false,
  }),
  Volume: kind({
    repositoryKey: "volumes",
    port: VolumeRepository,
    topic: "volumes",
    schema: Volume,
    uniqueKeys: [byProjectName],
    filters: {
      projectId: "projectId",
      poolId: "spec.poolId",
      vmId: "status.attachment.vmId",
      state: "status.phase",
    },
    nameField: "name",
    projectScoped: true,
  }),
  VolumeSnapshot: kind({
    repositoryKey: "volumeSnapshots",
    port: VolumeSnapshotRepository,
    topic: "volume-snapshots",
    schema: VolumeSnapshot,
    uniqueKeys: [{ fields: ["volumeId", "name"], description: "name among the volume's snapshots" }],
    filters: { projectId: "projectId", volumeId: "volumeId", state: "status.phase" },
    nameField: "name",
    projectScoped: true,
  }),
  Image: kind({
    repositoryKey: "images",
    port: ImageRepository,
    topic: "images",
    schema: Image,
    uniqueKeys: [byName],
    filters: { projectId: "projectId", state: "status.phase" },
    nameField: "name",
    projectScoped: false,
  }),
  VirtualNetwork: kind({
    repositoryKey: "networks",
    port: VirtualNetworkRepository,
    topic: "networks",
    schema: VirtualNetwork,
    uniqueKeys: [byProjectName],
    filters: { projectId: "projectId", state: "status.phase" },
    nameField: "name",
    projectScoped: true,
  }),
  SecurityGroup: kind({
    repositoryKey: "securityGroups",
    port: SecurityGroupRepository,
    topic: "security-groups",
    schema: SecurityGroup,
    uniqueKeys: [byProjectName],
    filters: { projectId: "projectId" },
    nameField: "name",
    projectScoped: true,
  }),
  Alert: kind({
    repositoryKey: "alerts",
    port: AlertRepository,
    topic: "alerts",
    schema: Alert,
    uniqueKeys: [],
    filters: { projectId: "projectId", clusterId: "clusterId", state: "state" },
    nameField: "title",
    projectScoped: false,
  }),
  AlertRule: kind({
    repositoryKey: "alertRules",
    port: AlertRuleRepository,
    topic: "alert-rules",
    schema: AlertRule,
    uniqueKeys: [byName],
    filters: {},
    nameField: "name",
    projectScoped: false,
  }),
  DrsRecommendation: kind({
    repositoryKey: "drsRecommendations",
    port: DrsRecommendationRepository,
    topic: "drs-recommendations",
    schema: DrsRecommendation,
    uniqueKeys: [],
    filters: { clusterId: "clusterId", vmId: "vmId", state: "state" },
    nameField: "id",
    projectScoped: false,
  }),
  User: kind({
    repositoryKey: "users",
    port: UserRepository,
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
  NodeJoinToken: kind({
    repositoryKey: "nodeJoinTokens",
    port: NodeJoinTokenRepository,
    topic: "node-join-tokens",
    schema: NodeJoinToken,
    uniqueKeys: [byName],
    filters: {},
    nameField: "name",
    projectScoped: false,
  }),
});

type Table = typeof RESOURCES;

/** ResourceKind names one kind of stored resource. */
export type ResourceKind = keyof Table;

/** RESOURCE_KINDS lists every kind of stored resource, in the order of RESOURCES. */
export const RESOURCE_KINDS: readonly ResourceKind[] = Object.freeze(
  Object.keys(RESOURCES) as ResourceKind[],
);

/** ResourceOf is the entity type of a kind (`ResourceOf<"Volume">` is `Volume`). */
export type ResourceOf<K extends ResourceKind> = z.output<Table[K]["schema"]>;

/** ResourceInputOf is what creating a resource of a kind takes. */
export type ResourceInputOf<K extends ResourceKind> = Omit<z.input<Table[K]["schema"]>, ServerManagedField>;

/** RepositoryOf is the repository port of a kind (`RepositoryOf<"VirtualMachine">` is `VmRepository`). */
export type RepositoryOf<K extends ResourceKind> =
  Table[K]["port"] extends ServiceIdentifier<infer P> ? P : never;

/** RepositoryKeyOf is the property of the Repositories bundle that holds a kind's repository. */
export type RepositoryKeyOf<K extends ResourceKind> = Table[K]["repositoryKey"];

/** RepositoryKey names a kind's repository in the Repositories bundle (every property but the audit log). */
export type RepositoryKey = RepositoryKeyOf<ResourceKind>;

/** TopicOf is the event topic of a kind. */
export type TopicOf<K extends ResourceKind> = Table[K]["topic"];

/** KindRepositories holds each kind's repository under its RepositoryKey, as the Repositories bundle does. */
export type KindRepositories = { readonly [K in ResourceKind as RepositoryKeyOf<K>]: RepositoryOf<K> };

/** resourceDescriptor returns a kind's row of RESOURCES seen generically, for code that handles every kind alike. */
export function resourceDescriptor(kind: ResourceKind): ResourceDescriptor {
  return RESOURCES[kind] as ResourceDescriptor;
}

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
/** NodeJoinTokenInput is what creating a NodeJoinToken takes. */
export type NodeJoinTokenInput = InputOf<typeof NodeJoinToken>;
