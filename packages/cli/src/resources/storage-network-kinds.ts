import { timestampDate } from "@bufbuild/protobuf/wkt";
import { network, storage } from "@limiquantix/api";
import { age, labelsText, orNone } from "../output/table";
import { allPages, defineKind, enumName, eventTypeName, type ResourceKind } from "./kind";

const created = (t: { createTime?: Parameters<typeof timestampDate>[0] }) =>
  age(t.createTime ? timestampDate(t.createTime) : undefined);

export const poolKind = defineKind<storage.StoragePool>({
  name: "pool",
  plural: "pools",
  aliases: ["storagepool", "storagepools", "storage-pool", "storage-pools"],
  kind: "StoragePool",
  schema: storage.StoragePoolSchema,
  nameOf: (p) => p.name,
  idOf: (p) => p.id,
  columns: [
    { header: "NAME", value: (p) => p.name },
    { header: "TYPE", value: (p) => enumName(storage.StoragePoolType, p.spec?.type ?? 0) },
    { header: "PHASE", value: (p) => enumName(storage.StoragePoolPhase, p.status?.phase ?? 0) },
    { header: "CAPACITY", value: (p) => `${p.spec?.capacityGib ?? 0n}Gi` },
    { header: "ALLOCATED", value: (p) => `${p.status?.allocatedGib ?? 0n}Gi` },
    { header: "AGE", value: created },
    { header: "ID", value: (p) => p.id, wide: true },
    { header: "LABELS", value: (p) => labelsText(p.labels), wide: true },
  ],
  list: (s, q) => {
    const c = s.client(storage.StoragePoolService);
    return allPages((pageToken) =>
      c
        .listStoragePools({ pageToken, labelSelector: q.labelSelector ?? "", clusterId: q.clusterId ?? "" })
        .then((r) => ({ items: r.storagePools, next: r.nextPageToken })),
    );
  },
  get: async (s, id) => (await s.client(storage.StoragePoolService).getStoragePool({ id })).storagePool!,
  create: {
    schema: storage.CreateStoragePoolRequestSchema,
    call: async (s, req) => {
      const response = await s
        .client(storage.StoragePoolService)
        .createStoragePool(req as storage.CreateStoragePoolRequest);
      return {
        object: response.storagePool!,
        response,
        responseSchema: storage.CreateStoragePoolResponseSchema,
      };
    },
  },
  remove: async (s, p) => {
    await s.client(storage.StoragePoolService).deleteStoragePool({ id: p.id });
  },
});

export const volumeKind = defineKind<storage.Volume>({
  name: "volume",
  plural: "volumes",
  aliases: ["vol", "vols"],
  kind: "Volume",
  schema: storage.VolumeSchema,
  projectScoped: true,
  nameOf: (v) => v.name,
  idOf: (v) => v.id,
  lookups: ["pool", "vm", "project"],
  columns: [
    { header: "NAME", value: (v) => v.name },
    { header: "PROJECT", value: (v, n) => n.project(v.projectId), project: true },
    { header: "PHASE", value: (v) => enumName(storage.VolumePhase, v.status?.phase ?? 0) },
    { header: "SIZE", value: (v) => `${v.spec?.sizeGib ?? 0n}Gi` },
    { header: "POOL", value: (v, n) => orNone(v.spec?.poolId && n.pool(v.spec.poolId)) },
    { header: "VM", value: (v, n) => orNone(v.status?.attachment?.vmId && n.vm(v.status.attachment.vmId)) },
    { header: "AGE", value: created },
    { header: "ID", value: (v) => v.id, wide: true },
    { header: "LABELS", value: (v) => labelsText(v.labels), wide: true },
  ],
  list: (s, q) => {
    const c = s.client(storage.VolumeService);
    return allPages((pageToken) =>
      c
        .listVolumes({
          pageToken,
          labelSelector: q.labelSelector ?? "",
          projectId: q.projectId ?? "",
          vmId: q.vmId ?? "",
        })
        .then((r) => ({ items: r.volumes, next: r.nextPageToken })),
    );
  },
  get: async (s, id) => (await s.client(storage.VolumeService).getVolume({ id })).volume!,
  create: {
    schema: storage.CreateVolumeRequestSchema,
    call: async (s, req) => {
      const response = await s.client(storage.VolumeService).createVolume(req as storage.CreateVolumeRequest);
      return { object: response.volume!, response, responseSchema: storage.CreateVolumeResponseSchema };
    },
  },
  remove: async (s, v) => {
    await s.client(storage.VolumeService).deleteVolume({ id: v.id });
  },
  watch: async function* (s, q, signal) {
    const stream = s
      .client(storage.VolumeService)
      .watchVolumes(
        { projectId: q.projectId ?? "", labelSelector: q.labelSelector ?? "", vmId: q.vmId ?? "" },
        { signal },
      );
    for await (const m of stream)
      yield { type: eventTypeName(m.type), ...(m.volume ? { object: m.volume } : {}) };
  },
});

export const imageKind = defineKind<storage.Image>({
  name: "image",
  plural: "images",
  aliases: ["img", "imgs"],
  kind: "Image",
  schema: storage.ImageSchema,
  projectScoped: true,
  nameOf: (i) => i.name,
  idOf: (i) => i.id,
  columns: [
    { header: "NAME", value: (i) => i.name },
    { header: "FORMAT", value: (i) => enumName(storage.ImageFormat, i.spec?.format ?? 0) },
    { header: "OS", value: (i) => orNone(i.spec?.osName) },
    { header: "PHASE", value: (i) => enumName(storage.ImagePhase, i.status?.phase ?? 0) },
    { header: "AGE", value: created },
    { header: "ID", value: (i) => i.id, wide: true },
    { header: "SOURCE", value: (i) => orNone(i.spec?.sourceUrl), wide: true },
  ],
  list: (s, q) => {
    const c = s.client(storage.ImageService);
    return allPages((pageToken) =>
      c
        .listImages({ pageToken, labelSelector: q.labelSelector ?? "", projectId: q.projectId ?? "" })
        .then((r) => ({ items: r.images, next: r.nextPageToken })),
    );
  },
  get: async (s, id) => (await s.client(storage.ImageService).getImage({ id })).image!,
  create: {
    schema: storage.CreateImageRequestSchema,
    call: async (s, req) => {
      const response = await s.client(storage.ImageService).createImage(req as storage.CreateImageRequest);
      return { object: response.image!, response, responseSchema: storage.CreateImageResponseSchema };
    },
  },
  remove: async (s, i) => {
    await s.client(storage.ImageService).deleteImage({ id: i.id });
  },
});

export const networkKind = defineKind<network.VirtualNetwork>({
  name: "network",
  plural: "networks",
  aliases: ["net", "nets", "virtualnetwork", "virtualnetworks"],
  kind: "VirtualNetwork",
  schema: network.VirtualNetworkSchema,
  projectScoped: true,
  nameOf: (n) => n.name,
  idOf: (n) => n.id,
  lookups: ["project"],
  columns: [
    { header: "NAME", value: (n) => n.name },
    { header: "PROJECT", value: (n, names) => names.project(n.projectId), project: true },
    { header: "TYPE", value: (n) => enumName(network.NetworkType, n.spec?.type ?? 0) },
    { header: "CIDR", value: (n) => orNone(n.spec?.cidr) },
    { header: "GATEWAY", value: (n) => orNone(n.spec?.gateway) },
    { header: "PHASE", value: (n) => enumName(network.NetworkPhase, n.status?.phase ?? 0) },
    {
      header: "ADDRESSES",
      value: (n) => `${n.status?.usage?.allocated ?? 0n}/${n.status?.usage?.size ?? 0n}`,
    },
    { header: "AGE", value: created },
    { header: "ID", value: (n) => n.id, wide: true },
    { header: "LABELS", value: (n) => labelsText(n.labels), wide: true },
  ],
  list: (s, q) => {
    const c = s.client(network.VirtualNetworkService);
    return allPages((pageToken) =>
      c
        .listVirtualNetworks({
          pageToken,
          labelSelector: q.labelSelector ?? "",
          projectId: q.projectId ?? "",
        })
        .then((r) => ({ items: r.virtualNetworks, next: r.nextPageToken })),
    );
  },
  get: async (s, id) =>
    (await s.client(network.VirtualNetworkService).getVirtualNetwork({ id })).virtualNetwork!,
  create: {
    schema: network.CreateVirtualNetworkRequestSchema,
    call: async (s, req) => {
      const response = await s
        .client(network.VirtualNetworkService)
        .createVirtualNetwork(req as network.CreateVirtualNetworkRequest);
      return {
        object: response.virtualNetwork!,
        response,
        responseSchema: network.CreateVirtualNetworkResponseSchema,
      };
    },
  },
  remove: async (s, n) => {
    await s.client(network.VirtualNetworkService).deleteVirtualNetwork({ id: n.id });
  },
  watch: async function* (s, q, signal) {
    const stream = s
      .client(network.VirtualNetworkService)
      .watchVirtualNetworks(
        { projectId: q.projectId ?? "", labelSelector: q.labelSelector ?? "" },
        { signal },
      );
    for await (const m of stream)
      yield { type: eventTypeName(m.type), ...(m.virtualNetwork ? { object: m.virtualNetwork } : {}) };
  },
});

export const securityGroupKind = defineKind<network.SecurityGroup>({
  name: "securitygroup",
  plural: "securitygroups",
  aliases: ["sg", "sgs", "security-group", "security-groups"],
  kind: "SecurityGroup",
  schema: network.SecurityGroupSchema,
  projectScoped: true,
  nameOf: (g) => g.name,
  idOf: (g) => g.id,
  lookups: ["project"],
  columns: [
    { header: "NAME", value: (g) => g.name },
    { header: "PROJECT", value: (g, n) => n.project(g.projectId), project: true },
    { header: "RULES", value: (g) => String(g.spec?.rules.length ?? 0) },
    { header: "DESCRIPTION", value: (g) => orNone(g.spec?.description) },
    { header: "AGE", value: created },
    { header: "ID", value: (g) => g.id, wide: true },
    { header: "LABELS", value: (g) => labelsText(g.labels), wide: true },
  ],
  list: (s, q) => {
    const c = s.client(network.SecurityGroupService);
    return allPages((pageToken) =>
      c
        .listSecurityGroups({ pageToken, labelSelector: q.labelSelector ?? "", projectId: q.projectId ?? "" })
        .then((r) => ({ items: r.securityGroups, next: r.nextPageToken })),
    );
  },
  get: async (s, id) =>
    (await s.client(network.SecurityGroupService).getSecurityGroup({ id })).securityGroup!,
  create: {
    schema: network.CreateSecurityGroupRequestSchema,
    call: async (s, req) => {
      const response = await s
        .client(network.SecurityGroupService)
        .createSecurityGroup(req as network.CreateSecurityGroupRequest);
      return {
        object: response.securityGroup!,
        response,
        responseSchema: network.CreateSecurityGroupResponseSchema,
      };
    },
  },
  remove: async (s, g) => {
    await s.client(network.SecurityGroupService).deleteSecurityGroup({ id: g.id });
  },
});

/** STORAGE_NETWORK_KINDS are the kinds of limiquantix.storage.v1 and limiquantix.network.v1. */
export const STORAGE_NETWORK_KINDS: readonly ResourceKind[] = [
  poolKind,
  volumeKind,
  imageKind,
  networkKind,
  securityGroupKind,
];
