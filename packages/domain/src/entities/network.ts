import { z } from "zod";
import { Description, Id, metaFields } from "../common";
import { type AddressUsage, addressPlanOf, addressUsage } from "../net/ipam";
import { cidrContains, isCidr, parseCidr, parseIPv4 } from "../net/ipv4";
import { MAC_ADDRESS } from "../net/mac";

/** Ipv4 is a dotted-quad IPv4 address. */
export const Ipv4 = z
  .string()
  .refine((s) => parseIPv4(s) !== undefined, { message: "must be an IPv4 address" });

function pathOf(field: string): (string | number)[] {
  return field.split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/** Ipv4Cidr is an IPv4 network such as `10.0.0.0/24` (host bits clear). */
export const Ipv4Cidr = z.string().superRefine((s, ctx) => {
  const c = parseCidr(s);
  if (!isCidr(c)) ctx.addIssue({ code: "custom", message: c.error });
});

/** MacAddress is a lowercase MAC address such as `52:54:00:12:34:56`. */
export const MacAddress = z
  .string()
  .regex(MAC_ADDRESS, { message: "must be a lowercase MAC address such as 52:54:00:12:34:56" });

/** AddressRangeSpec is an inclusive range of IPv4 addresses, such as `10.0.0.2`–`10.0.0.9`. */
export const AddressRangeSpec = z.strictObject({ start: Ipv4, end: Ipv4 });
/** AddressRangeSpec is an inclusive range of IPv4 addresses. */
export type AddressRangeSpec = z.infer<typeof AddressRangeSpec>;

/** NetworkType is how a virtual network is realised. */
export const NetworkType = z.enum(["VLAN", "OVERLAY", "EXTERNAL"]);
/** NetworkType is how a virtual network is realised. */
export type NetworkType = z.infer<typeof NetworkType>;

/** VirtualNetworkSpec is what a user asks of a virtual network. */
export const VirtualNetworkSpec = z
  .strictObject({
    description: Description.default(""),
    type: NetworkType,
    vlanId: z.int().min(1).max(4094).optional(),
    /** Overlay segment id (VXLAN VNI). */
    vni: z.int().min(1).max(16_777_215).optional(),
    cidr: Ipv4Cidr,
    gateway: Ipv4.optional(),
    dhcp: z
      .strictObject({
        enabled: z.boolean().default(true),
        rangeStart: Ipv4.optional(),
        rangeEnd: Ipv4.optional(),
        dnsServers: z.array(Ipv4).max(8).default([]),
      })
      .default({ enabled: true, dnsServers: [] }),
    mtu: z.int().min(576).max(9216).default(1500),
    /** Ranges of the CIDR no NIC is given (addresses of routers, appliances or hosts outside LimiQuantix). */
    reservedRanges: z.array(AddressRangeSpec).max(64).default([]),
    /** Nodes that carry the network; empty means every node. */
    nodeIds: z.array(Id).max(10_000).default([]),
  })
  .superRefine((spec, ctx) => {
    if (spec.type === "VLAN" && spec.vlanId === undefined)
      ctx.addIssue({ code: "custom", path: ["vlanId"], message: "is required for a VLAN network" });
    if (spec.type !== "VLAN" && spec.type !== "EXTERNAL" && spec.vlanId !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["vlanId"],
        message: `must be absent for a ${spec.type} network`,
      });
    const cidr = parseCidr(spec.cidr);
    if (!isCidr(cidr)) return;
    const inside = (field: string, text: string | undefined, usable: boolean): void => {
      if (text === undefined) return;
      const ip = parseIPv4(text);
      if (ip === undefined) return;
      if (!cidrContains(cidr, ip))
        ctx.addIssue({
          code: "custom",
          path: pathOf(field),
          message: `must lie inside ${spec.cidr} (got ${text})`,
        });
      else if (usable && cidr.prefix < 31 && (ip === cidr.first || ip === cidr.last))
        ctx.addIssue({
          code: "custom",
          path: pathOf(field),
          message: `must not be the network or broadcast address of ${spec.cidr} (got ${text})`,
        });
    };
    inside("gateway", spec.gateway, true);
    inside("dhcp.rangeStart", spec.dhcp.rangeStart, true);
    inside("dhcp.rangeEnd", spec.dhcp.rangeEnd, true);
    spec.reservedRanges.forEach((r, i) => {
      inside(`reservedRanges.${i}.start`, r.start, false);
      inside(`reservedRanges.${i}.end`, r.end, false);
      const start = parseIPv4(r.start);
      const end = parseIPv4(r.end);
      if (start !== undefined && end !== undefined && start > end)
        ctx.addIssue({
          code: "custom",
          path: ["reservedRanges", i, "end"],
          message: `must not come before start (${r.start})`,
        });
    });
    const a = spec.dhcp.rangeStart ? parseIPv4(spec.dhcp.rangeStart) : undefined;
    const b = spec.dhcp.rangeEnd ? parseIPv4(spec.dhcp.rangeEnd) : undefined;
    if (a !== undefined && b !== undefined && a > b)
      ctx.addIssue({
        code: "custom",
        path: ["dhcp", "rangeEnd"],
        message: "must not come before dhcp.rangeStart",
      });
  });
/** VirtualNetworkSpec is what a user asks of a virtual network. */
export type VirtualNetworkSpec = z.infer<typeof VirtualNetworkSpec>;

/** AddressAllocation records which VM NIC holds an address of a network, and the NIC's MAC address. */
export const AddressAllocation = z.strictObject({
  vmId: Id,
  /** The name of the NIC within its VM. */
  nic: z.string().min(1).max(63),
  macAddress: MacAddress,
});
/** AddressAllocation records which VM NIC holds an address of a network. */
export type AddressAllocation = z.infer<typeof AddressAllocation>;

/** VirtualNetworkStatus is what the control plane keeps of a network: its phase and its address allocations. */
export const VirtualNetworkStatus = z.strictObject({
  phase: z.enum(["PENDING", "READY", "ERROR"]).default("READY"),
  message: z.string().max(1024).default(""),
  /**
   * The network's allocated addresses, each to one VM NIC. They are written in the unit of work
   * that creates or deletes the VM, under the network's resourceVersion, so two NICs never share one.
   */
  allocations: z.record(Ipv4, AddressAllocation).default({}),
});
/** VirtualNetworkStatus is what the control plane keeps of a network. */
export type VirtualNetworkStatus = z.infer<typeof VirtualNetworkStatus>;

/** VirtualNetwork is an L2/L3 segment VMs attach to. */
export const VirtualNetwork = z.strictObject({
  ...metaFields,
  projectId: Id,
  spec: VirtualNetworkSpec,
  status: VirtualNetworkStatus.default({ phase: "READY", message: "", allocations: {} }),
});
/** VirtualNetwork is an L2/L3 segment VMs attach to. */
export type VirtualNetwork = z.infer<typeof VirtualNetwork>;

/** addressUsageOf counts a network's addresses: the pool's size, how many are allocated and how many of the pool are free. */
export function addressUsageOf(network: Pick<VirtualNetwork, "spec" | "status">): AddressUsage {
  const allocated: number[] = [];
  for (const address of Object.keys(network.status.allocations)) {
    const n = parseIPv4(address);
    if (n !== undefined) allocated.push(n);
  }
  return addressUsage(addressPlanOf(network.spec), allocated);
}

/** SecurityRule allows or denies one kind of traffic. */
export const SecurityRule = z
  .strictObject({
    id: Id,
    description: Description.default(""),
    direction: z.enum(["INGRESS", "EGRESS"]),
    protocol: z.enum(["TCP", "UDP", "ICMP", "ANY"]),
    portRange: z
      .strictObject({ from: z.int().min(1).max(65_535), to: z.int().min(1).max(65_535) })
      .optional(),
    cidr: Ipv4Cidr.default("0.0.0.0/0"),
    action: z.enum(["ALLOW", "DENY"]).default("ALLOW"),
    /** Lower numbers are evaluated first. */
    priority: z.int().min(1).max(4096).default(1000),
  })
  .superRefine((r, ctx) => {
    if (r.portRange && r.portRange.from > r.portRange.to)
      ctx.addIssue({
        code: "custom",
        path: ["portRange", "to"],
        message: `must be at least portRange.from (${r.portRange.from})`,
      });
    if (r.portRange && (r.protocol === "ICMP" || r.protocol === "ANY"))
      ctx.addIssue({
        code: "custom",
        path: ["portRange"],
        message: `must be absent for protocol ${r.protocol}`,
      });
  });
/** SecurityRule allows or denies one kind of traffic. */
export type SecurityRule = z.infer<typeof SecurityRule>;

/** SecurityGroup is an ordered set of rules applied to the NICs that name it. */
export const SecurityGroup = z.strictObject({
  ...metaFields,
  projectId: Id,
  spec: z
    .strictObject({
      description: Description.default(""),
      rules: z.array(SecurityRule).max(500).default([]),
    })
    .superRefine((spec, ctx) => {
      const seen = new Set<string>();
      spec.rules.forEach((r, i) => {
        if (seen.has(r.id))
          ctx.addIssue({ code: "custom", path: ["rules", i, "id"], message: "must be unique" });
        seen.add(r.id);
      });
    }),
});
/** SecurityGroup is an ordered set of rules. */
export type SecurityGroup = z.infer<typeof SecurityGroup>;
