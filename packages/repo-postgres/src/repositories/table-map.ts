import type { ResourceKind } from "@limiquantix/domain";

/** ColumnType says how a field is stored and bound: as text, integer, bigint, boolean, JSONB or timestamptz. */
export type ColumnType = "text" | "int" | "bigint" | "bool" | "json" | "timestamptz";

/** Column stores one top-level field of an entity. */
export interface Column {
  readonly field: string;
  readonly column: string;
  readonly type: ColumnType;
}

/** TableMap says how one resource kind is laid out in SQL. */
export interface TableMap {
  readonly kind: ResourceKind;
  readonly table: string;
  /** Every top-level field of the entity, each in its column. */
  readonly columns: readonly Column[];
  /** Filter paths answered by a (generated, indexed) column instead of a JSONB expression. */
  readonly pathColumns: Readonly<Record<string, string>>;
  /** Unique constraints by name, with the fields of the domain unique key each enforces. */
  readonly uniqueConstraints: Readonly<Record<string, readonly string[]>>;
  /** Column of the name field, for findByName (absent for kinds without names). */
  readonly nameColumn?: string;
  /**
   * Whether the table keeps `doc`, the whole resource as JSON text maintained by a trigger
   * (see lqx_doc in the migrations); reads then return it instead of decoding the columns.
   */
  readonly doc: boolean;
}

const c = (field: string, column: string, type: ColumnType): Column => ({ field, column, type });

const FRAME: readonly Column[] = [
  c("id", "id", "text"),
  c("labels", "labels", "json"),
  // The revision of the resource's last change (see migrations/000003_change_log.up.sql).
  c("resourceVersion", "resource_version", "bigint"),
  c("createdAt", "created_at", "timestamptz"),
  c("updatedAt", "updated_at", "timestamptz"),
];
const NAMED: readonly Column[] = [...FRAME, c("name", "name", "text")];
const PROJECT = c("projectId", "project_id", "text");
const CLUSTER = c("clusterId", "cluster_id", "text");
const SPEC = c("spec", "spec", "json");
const STATUS = c("status", "status", "json");
const PHASE = { "status.phase": "phase" } as const;

function named(
  kind: ResourceKind,
  table: string,
  extra: readonly Column[],
  rest: Partial<TableMap> = {},
): TableMap {
  return {
    kind,
    table,
    columns: [...NAMED, ...extra],
    pathColumns: rest.pathColumns ?? {},
    uniqueConstraints: rest.uniqueConstraints ?? { [`${table}_name_key`]: ["name"] },
    nameColumn: "name",
    doc: rest.doc ?? true,
  };
}

const byProject = (table: string) => ({ [`${table}_project_name_key`]: ["projectId", "name"] });

/** TABLES maps every resource kind to its table (see migrations/000001_init.up.sql). */
export const TABLES: { readonly [K in ResourceKind]: TableMap } = {
  Project: named("Project", "projects", [
    c("description", "description", "text"),
    c("quota", "quota", "json"),
    STATUS,
  ]),
  Cluster: named("Cluster", "clusters", [SPEC, STATUS]),
  Node: named("Node", "nodes", [CLUSTER, SPEC, STATUS], {
    pathColumns: { ...PHASE, "spec.hostname": "hostname" },
    uniqueConstraints: { nodes_name_key: ["name"], nodes_hostname_key: ["spec.hostname"] },
  }),
  VirtualMachine: named("VirtualMachine", "virtual_machines", [PROJECT, CLUSTER, SPEC, STATUS], {
    pathColumns: { "status.nodeId": "node_id", "status.powerState": "power_state" },
    uniqueConstraints: byProject("virtual_machines"),
  }),
  VmSnapshot: named(
    "VmSnapshot",
    "vm_snapshots",
    [
      PROJECT,
      c("vmId", "vm_id", "text"),
      c("description", "description", "text"),
      c("includeMemory", "include_memory", "bool"),
      STATUS,
    ],
    { pathColumns: PHASE, uniqueConstraints: { vm_snapshots_vm_name_key: ["vmId", "name"] } },
  ),
  StoragePool: named("StoragePool", "storage_pools", [PROJECT, CLUSTER, SPEC, STATUS], {
    pathColumns: PHASE,
  }),
  Volume: named("Volume", "volumes", [PROJECT, SPEC, STATUS], {
    pathColumns: { ...PHASE, "spec.poolId": "pool_id", "status.attachment.vmId": "attached_vm_id" },
    uniqueConstraints: byProject("volumes"),
  }),
  VolumeSnapshot: named(
    "VolumeSnapshot",
    "volume_snapshots",
    [PROJECT, c("volumeId", "volume_id", "text"), c("description", "description", "text"), STATUS],
    { pathColumns: PHASE, uniqueConstraints: { volume_snapshots_volume_name_key: ["volumeId", "name"] } },
  ),
  Image: named("Image", "images", [PROJECT, SPEC, STATUS], { pathColumns: PHASE }),
  VirtualNetwork: named("VirtualNetwork", "virtual_networks", [PROJECT, SPEC, STATUS], {
    pathColumns: PHASE,
    uniqueConstraints: byProject("virtual_networks"),
  }),
  // A group's rules live in security_rules, so its row cannot hold the whole resource.
  SecurityGroup: named("SecurityGroup", "security_groups", [PROJECT, SPEC], {
    uniqueConstraints: byProject("security_groups"),
    doc: false,
  }),
  Alert: {
    kind: "Alert",
    table: "alerts",
    columns: [
      ...FRAME,
      PROJECT,
      CLUSTER,
      c("severity", "severity", "text"),
      c("state", "state", "text"),
      c("source", "source", "json"),
      c("title", "title", "text"),
      c("message", "message", "text"),
      c("fingerprint", "fingerprint", "text"),
      c("ruleId", "rule_id", "text"),
      c("acknowledged", "acknowledged", "json"),
      c("resolved", "resolved", "json"),
    ],
    pathColumns: {},
    uniqueConstraints: {},
    doc: true,
  },
  AlertRule: named("AlertRule", "alert_rules", [SPEC]),
  DrsRecommendation: {
    kind: "DrsRecommendation",
    table: "drs_recommendations",
    columns: [
      ...FRAME,
      CLUSTER,
      c("priority", "priority", "text"),
      c("type", "type", "text"),
      c("vmId", "vm_id", "text"),
      c("sourceNodeId", "source_node_id", "text"),
      c("targetNodeId", "target_node_id", "text"),
      c("reason", "reason", "text"),
      c("impact", "impact", "json"),
      c("state", "state", "text"),
      c("decidedBy", "decided_by", "text"),
      c("decidedAt", "decided_at", "text"),
      c("appliedAt", "applied_at", "text"),
      c("error", "error", "text"),
    ],
    pathColumns: {},
    uniqueConstraints: {},
    doc: true,
  },
  User: {
    kind: "User",
    table: "users",
    columns: [
      ...FRAME,
      c("username", "username", "text"),
      c("email", "email", "text"),
      c("displayName", "display_name", "text"),
      c("role", "role", "text"),
      c("projectMemberships", "project_memberships", "json"),
      c("passwordHash", "password_hash", "text"),
      c("disabled", "disabled", "bool"),
      c("lastLoginAt", "last_login_at", "text"),
    ],
    pathColumns: {},
    uniqueConstraints: { users_username_key: ["username"], users_email_key: ["email"] },
    nameColumn: "username",
    doc: true,
  },
  // See migrations/000007_node_join_tokens.up.sql.
  NodeJoinToken: named("NodeJoinToken", "node_join_tokens", [
    c("description", "description", "text"),
    c("secretHash", "secret_hash", "text"),
    c("expiresAt", "expires_at", "timestamptz"),
    c("maxUses", "max_uses", "int"),
    c("uses", "uses", "int"),
    CLUSTER,
    c("createdBy", "created_by", "text"),
  ]),
};
