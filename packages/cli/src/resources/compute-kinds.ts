import { timestampDate } from "@bufbuild/protobuf/wkt";
import { compute } from "@limiquantix/api";
import { age, labelsText, mib, orNone } from "../output/table";
import {
  allPages,
  defineKind,
  enumName,
  eventTypeName,
  type ListQuery,
  type ResourceKind,
  type WatchChange,
} from "./kind";
import type { Session } from "../session/session";

const created = (t: { createTime?: Parameters<typeof timestampDate>[0] }) =>
  age(t.createTime ? timestampDate(t.createTime) : undefined);

/** vmState prints a VM's power state, with the migration in progress when there is one. */
export function vmState(vm: compute.VirtualMachine): string {
  const state = enumName(compute.PowerState, vm.status?.powerState ?? 0);
  const m = vm.status?.migration;
  return m ? `${state} (migrating ${Math.round(m.progressPercent)}%)` : state;
}

async function* vmChanges(
  stream: AsyncIterable<{ type: number; vm?: compute.VirtualMachine }>,
): AsyncIterable<WatchChange<compute.VirtualMachine>> {
  for await (const m of stream) yield { type: eventTypeName(m.type), ...(m.vm ? { object: m.vm } : {}) };
}

async function* nodeChanges(
  stream: AsyncIterable<{ type: number; node?: compute.Node }>,
): AsyncIterable<WatchChange<compute.Node>> {
  for await (const m of stream) yield { type: eventTypeName(m.type), ...(m.node ? { object: m.node } : {}) };
}

/** listVms lists the VMs a query selects, every page. */
export function listVms(session: Session, q: ListQuery): Promise<compute.VirtualMachine[]> {
  const c = session.client(compute.VMService);
  return allPages((pageToken) =>
    c
      .listVMs({
        pageToken,
        labelSelector: q.labelSelector ?? "",
        projectId: q.projectId ?? "",
        nodeId: q.nodeId ?? "",
        clusterId: q.clusterId ?? "",
      })
      .then((r) => ({ items: r.vms, next: r.nextPageToken })),
  );
}

export const vmKind = defineKind<compute.VirtualMachine>({
  name: "vm",
  plural: "vms",
  aliases: ["virtualmachine", "virtualmachines"],
  kind: "VirtualMachine",
  schema: compute.VirtualMachineSchema,
  projectScoped: true,
  nameOf: (v) => v.name,
  idOf: (v) => v.id,
  lookups: ["node", "project"],
  columns: [
    { header: "NAME", value: (v) => v.name },
    { header: "PROJECT", value: (v, n) => n.project(v.projectId), project: true },
    { header: "STATE", value: vmState },
    { header: "NODE", value: (v, n) => orNone(v.status?.nodeId && n.node(v.status.nodeId)) },
    { header: "VCPUS", value: (v) => String(v.spec?.vcpus ?? 0) },
    { header: "MEMORY", value: (v) => mib(v.spec?.memoryMib ?? 0n) },
    { header: "IPS", value: (v) => orNone(v.status?.ipAddresses.join(",")) },
    { header: "AGE", value: created },
    { header: "ID", value: (v) => v.id, wide: true },
    { header: "LABELS", value: (v) => labelsText(v.labels), wide: true },
  ],
  list: listVms,
  get: async (s, id) => (await s.client(compute.VMService).getVM({ id })).vm!,
  create: {
    schema: compute.CreateVMRequestSchema,
    call: async (s, req) => {
      const response = await s.client(compute.VMService).createVM(req as compute.CreateVMRequest);
      return { object: response.vm!, response, responseSchema: compute.CreateVMResponseSchema };
    },
  },
  remove: async (s, v, o) => {
    await s
      .client(compute.VMService)
      .deleteVM({ id: v.id, force: o.force ?? false, detachVolumes: o.detachVolumes ?? false });
  },
  watch: (s, q, signal) =>
    vmChanges(
      s
        .client(compute.VMService)
        .watchVMs(
          { projectId: q.projectId ?? "", labelSelector: q.labelSelector ?? "", nodeId: q.nodeId ?? "" },
          { signal },
        ),
    ),
  watchOne: (s, id, signal) => vmChanges(s.client(compute.VMService).watchVM({ id }, { signal })),
});

/** listNodes lists the nodes a query selects, every page. */
export function listNodes(session: Session, q: ListQuery): Promise<compute.Node[]> {
  const c = session.client(compute.NodeService);
  return allPages((pageToken) =>
    c
      .listNodes({ pageToken, labelSelector: q.labelSelector ?? "", clusterId: q.clusterId ?? "" })
      .then((r) => ({ items: r.nodes, next: r.nextPageToken })),
  );
}

/** taintText prints a taint as `key=value:Effect`. */
export function taintText(t: compute.Taint): string {
  return `${t.key}${t.value ? `=${t.value}` : ""}:${enumName(compute.TaintEffect, t.effect)}`;
}

export const nodeKind = defineKind<compute.Node>({
  name: "node",
  plural: "nodes",
  aliases: ["no", "host", "hosts"],
  kind: "Node",
  schema: compute.NodeSchema,
  nameOf: (n) => n.name,
  idOf: (n) => n.id,
  lookups: ["cluster"],
  columns: [
    { header: "NAME", value: (n) => n.name },
    { header: "PHASE", value: (n) => enumName(compute.NodePhase, n.status?.phase ?? 0) },
    { header: "SCHEDULING", value: (n) => (n.spec?.cordoned ? "Disabled" : "Enabled") },
    { header: "VMS", value: (n) => String(n.status?.allocated?.vmCount ?? 0) },
    {
      header: "VCPUS",
      value: (n) => `${n.status?.allocated?.vcpus ?? 0}/${n.status?.allocatable?.vcpus ?? 0}`,
    },
    {
      header: "MEMORY",
      value: (n) =>
        `${mib(n.status?.allocated?.memoryMib ?? 0n)}/${mib(n.status?.allocatable?.memoryMib ?? 0n)}`,
    },
    { header: "CPU%", value: (n) => `${Math.round(n.status?.usage?.cpuPercent ?? 0)}%` },
    { header: "AGE", value: created },
    { header: "ID", value: (n) => n.id, wide: true },
    { header: "CLUSTER", value: (n, names) => orNone(n.clusterId && names.cluster(n.clusterId)), wide: true },
    { header: "ADDRESS", value: (n) => orNone(n.spec?.managementIp), wide: true },
    { header: "TAINTS", value: (n) => orNone(n.spec?.taints.map(taintText).join(",")), wide: true },
    { header: "AGENT", value: (n) => orNone(n.status?.agentVersion), wide: true },
  ],
  list: listNodes,
  get: async (s, id) => (await s.client(compute.NodeService).getNode({ id })).node!,
  create: {
    schema: compute.RegisterNodeRequestSchema,
    call: async (s, req) => {
      const response = await s.client(compute.NodeService).registerNode(req as compute.RegisterNodeRequest);
      return { object: response.node!, response, responseSchema: compute.RegisterNodeResponseSchema };
    },
  },
  remove: async (s, n) => {
    await s.client(compute.NodeService).deleteNode({ id: n.id });
  },
  watch: (s, q, signal) =>
    nodeChanges(
      s
        .client(compute.NodeService)
        .watchNodes({ clusterId: q.clusterId ?? "", labelSelector: q.labelSelector ?? "" }, { signal }),
    ),
  watchOne: (s, id, signal) => nodeChanges(s.client(compute.NodeService).watchNode({ id }, { signal })),
});

export const clusterKind = defineKind<compute.Cluster>({
  name: "cluster",
  plural: "clusters",
  kind: "Cluster",
  schema: compute.ClusterSchema,
  nameOf: (c) => c.name,
  idOf: (c) => c.id,
  columns: [
    { header: "NAME", value: (c) => c.name },
    { header: "HA", value: (c) => (c.spec?.ha?.enabled ? "on" : "off") },
    { header: "DRS", value: (c) => (c.spec?.drs?.enabled ? "on" : "off") },
    {
      header: "AUTOMATION",
      value: (c) => enumName(compute.DrsAutomationLevel, c.spec?.drs?.automationLevel ?? 0),
    },
    { header: "AGE", value: created },
    { header: "ID", value: (c) => c.id, wide: true },
    { header: "LABELS", value: (c) => labelsText(c.labels), wide: true },
  ],
  list: (s, q) => {
    const c = s.client(compute.ClusterService);
    return allPages((pageToken) =>
      c
        .listClusters({ pageToken, labelSelector: q.labelSelector ?? "" })
        .then((r) => ({ items: r.clusters, next: r.nextPageToken })),
    );
  },
  get: async (s, id) => (await s.client(compute.ClusterService).getCluster({ id })).cluster!,
  create: {
    schema: compute.CreateClusterRequestSchema,
    call: async (s, req) => {
      const response = await s
        .client(compute.ClusterService)
        .createCluster(req as compute.CreateClusterRequest);
      return { object: response.cluster!, response, responseSchema: compute.CreateClusterResponseSchema };
    },
  },
  remove: async (s, c) => {
    await s.client(compute.ClusterService).deleteCluster({ id: c.id });
  },
});

export const snapshotKind = defineKind<compute.VmSnapshot>({
  name: "snapshot",
  plural: "snapshots",
  aliases: ["snap", "snaps", "vmsnapshot", "vmsnapshots"],
  kind: "VmSnapshot",
  schema: compute.VmSnapshotSchema,
  projectScoped: true,
  nameOf: (s) => s.name,
  idOf: (s) => s.id,
  lookups: ["vm"],
  columns: [
    { header: "NAME", value: (s) => s.name },
    { header: "VM", value: (s, n) => n.vm(s.vmId) },
    { header: "PHASE", value: (s) => enumName(compute.SnapshotPhase, s.phase) },
    { header: "MEMORY", value: (s) => (s.includeMemory ? "yes" : "no") },
    { header: "AGE", value: created },
    { header: "ID", value: (s) => s.id, wide: true },
    { header: "MESSAGE", value: (s) => orNone(s.message), wide: true },
  ],
  // Snapshots are listed per VM: of the VM given with --vm, else of every VM the caller sees.
  list: async (s, q) => {
    const c = s.client(compute.VMService);
    const vmIds = q.vmId ? [q.vmId] : (await listVms(s, { projectId: q.projectId ?? "" })).map((v) => v.id);
    const lists = await Promise.all(
      vmIds.map((vmId) =>
        allPages((pageToken) =>
          c
            .listSnapshots({ vmId, pageToken, labelSelector: q.labelSelector ?? "" })
            .then((r) => ({ items: r.snapshots, next: r.nextPageToken })),
        ),
      ),
    );
    return lists.flat();
  },
  create: {
    schema: compute.CreateSnapshotRequestSchema,
    call: async (s, req) => {
      const response = await s.client(compute.VMService).createSnapshot(req as compute.CreateSnapshotRequest);
      return { object: response.snapshot!, response, responseSchema: compute.CreateSnapshotResponseSchema };
    },
  },
  remove: async (s, snap) => {
    await s.client(compute.VMService).deleteSnapshot({ vmId: snap.vmId, snapshotId: snap.id });
  },
});

export const joinTokenKind = defineKind<compute.JoinToken>({
  name: "jointoken",
  plural: "jointokens",
  aliases: ["join-token", "join-tokens"],
  kind: "JoinToken",
  schema: compute.JoinTokenSchema,
  nameOf: (t) => t.name,
  idOf: (t) => t.id,
  lookups: ["cluster"],
  columns: [
    { header: "NAME", value: (t) => t.name },
    { header: "USES", value: (t) => `${t.uses}/${t.maxUses}` },
    {
      header: "EXPIRES",
      value: (t) => (t.expireTime ? timestampDate(t.expireTime).toISOString() : "<never>"),
    },
    { header: "CLUSTER", value: (t, n) => orNone(t.clusterId && n.cluster(t.clusterId)) },
    { header: "AGE", value: created },
    { header: "ID", value: (t) => t.id, wide: true },
    { header: "CREATED-BY", value: (t) => orNone(t.createdBy), wide: true },
  ],
  list: (s, q) => {
    const c = s.client(compute.NodeJoinService);
    return allPages((pageToken) =>
      c
        .listJoinTokens({ pageToken, labelSelector: q.labelSelector ?? "" })
        .then((r) => ({ items: r.joinTokens, next: r.nextPageToken })),
    );
  },
  get: async (s, id) => (await s.client(compute.NodeJoinService).getJoinToken({ id })).joinToken!,
  create: {
    schema: compute.CreateJoinTokenRequestSchema,
    call: async (s, req) => {
      const response = await s
        .client(compute.NodeJoinService)
        .createJoinToken(req as compute.CreateJoinTokenRequest);
      return {
        object: response.joinToken!,
        response,
        responseSchema: compute.CreateJoinTokenResponseSchema,
        secrets: { token: response.token },
      };
    },
  },
  remove: async (s, t) => {
    await s.client(compute.NodeJoinService).deleteJoinToken({ id: t.id });
  },
});

/** COMPUTE_KINDS are the kinds of limiquantix.compute.v1. */
export const COMPUTE_KINDS: readonly ResourceKind[] = [
  vmKind,
  nodeKind,
  clusterKind,
  snapshotKind,
  joinTokenKind,
];
