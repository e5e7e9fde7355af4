import { create } from "@bufbuild/protobuf";
import { network } from "@limiquantix/api";
import {
  NetworkType,
  type VirtualNetwork,
  VirtualNetworkSpec,
  addressUsageOf,
  parseIPv4,
  parseOrThrow,
} from "@limiquantix/domain";
import { metaToProto } from "../../rpc/convert/common";
import { enumCodec } from "../../rpc/convert/enum-codec";

/** networkTypeCodec converts network types between the domain and the wire. */
export const networkTypeCodec = enumCodec<NetworkType>(
  network.NetworkType,
  NetworkType.options,
  "NetworkType",
);

/** networkPhaseCodec converts network phases between the domain and the wire. */
export const networkPhaseCodec = enumCodec<VirtualNetwork["status"]["phase"]>(
  network.NetworkPhase,
  ["PENDING", "READY", "ERROR"],
  "NetworkPhase",
);

/** virtualNetworkSpecToProto gives the wire form of a network's spec (absent ids and addresses as 0 and ""). */
export function virtualNetworkSpecToProto(spec: VirtualNetworkSpec): network.VirtualNetworkSpec {
  return create(network.VirtualNetworkSpecSchema, {
    description: spec.description,
    type: networkTypeCodec.toProto(spec.type),
    vlanId: spec.vlanId ?? 0,
    vni: spec.vni ?? 0,
    cidr: spec.cidr,
    gateway: spec.gateway ?? "",
    dhcp: {
      enabled: spec.dhcp.enabled,
      rangeStart: spec.dhcp.rangeStart ?? "",
      rangeEnd: spec.dhcp.rangeEnd ?? "",
      dnsServers: [...spec.dhcp.dnsServers],
    },
    mtu: spec.mtu,
    nodeIds: [...spec.nodeIds],
    reservedRanges: spec.reservedRanges.map((r) => ({ start: r.start, end: r.end })),
  });
}

/** virtualNetworkStatusToProto gives the wire form of a network's status: its phase, address usage and allocations in address order. */
export function virtualNetworkStatusToProto(n: VirtualNetwork): network.VirtualNetworkStatus {
  const usage = addressUsageOf(n);
  const allocations = Object.entries(n.status.allocations)
    .map(([address, a]) => ({ address, key: parseIPv4(address) ?? 0, a }))
    .sort((x, y) => x.key - y.key)
    .map(({ address, a }) => ({ address, vmId: a.vmId, nic: a.nic, macAddress: a.macAddress }));
  return create(network.VirtualNetworkStatusSchema, {
    phase: networkPhaseCodec.toProto(n.status.phase),
    message: n.status.message,
    usage: { size: BigInt(usage.size), allocated: BigInt(usage.allocated), free: BigInt(usage.free) },
    allocations,
  });
}

/** virtualNetworkToProto gives the wire form of a network, with its address usage. */
export function virtualNetworkToProto(n: VirtualNetwork): network.VirtualNetwork {
  return create(network.VirtualNetworkSchema, {
    ...metaToProto(n),
    projectId: n.projectId,
    spec: virtualNetworkSpecToProto(n.spec),
    status: virtualNetworkStatusToProto(n),
  });
}

/**
 * virtualNetworkSpecFromProto reads a network spec off the wire and validates it with the domain
 * schema, which checks the CIDR, that the gateway, DHCP range and reserved ranges lie inside it, and the VLAN rules
 * (violations are named under `field`). Zero ids, empty addresses and MTU 0 mean absent or default;
 * an absent dhcp message means the default DHCP service.
 */
export function virtualNetworkSpecFromProto(
  spec: network.VirtualNetworkSpec,
  field = "spec",
): VirtualNetworkSpec {
  const d = spec.dhcp;
  const raw = {
    description: spec.description,
    type: networkTypeCodec.fromProto(spec.type, `${field}.type`),
    ...(spec.vlanId !== 0 ? { vlanId: spec.vlanId } : {}),
    ...(spec.vni !== 0 ? { vni: spec.vni } : {}),
    cidr: spec.cidr,
    ...(spec.gateway ? { gateway: spec.gateway } : {}),
    ...(d
      ? {
          dhcp: {
            enabled: d.enabled,
            ...(d.rangeStart ? { rangeStart: d.rangeStart } : {}),
            ...(d.rangeEnd ? { rangeEnd: d.rangeEnd } : {}),
            dnsServers: d.dnsServers,
          },
        }
      : {}),
    ...(spec.mtu !== 0 ? { mtu: spec.mtu } : {}),
    nodeIds: spec.nodeIds,
    reservedRanges: spec.reservedRanges.map((r) => ({ start: r.start, end: r.end })),
  };
  return parseOrThrow(VirtualNetworkSpec, raw, undefined, field.split("."));
}
