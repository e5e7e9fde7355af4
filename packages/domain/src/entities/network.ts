import { z } from "zod";
import { Description, Id, metaFields } from "../common";
import { cidrContains, isCidr, parseCidr, parseIPv4 } from "../net/ipv4";

/** Ipv4 is a dotted-quad IPv4 address. */
export const Ipv4 = z.string().refine((s) => parseIPv4(s) !== undefined, { message: "must be an IPv4 address" });

/** Ipv4Cidr is an IPv4 network such as `10.0.0.0/24` (host bits clear). */
export const Ipv4Cidr = z.string().superRefine((s, ctx) => {
  const c = parseCidr(s);
  if (!isCidr(c)) ctx.addIssue({ code: "custom", message: c.error });
});

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
    /** Nodes that carry the network; empty means every node. */
    nodeIds: z.array(Id).max(10_000).default([]),
  })
  .superRefine((spec, ctx) => {
    if (spec.type === "VLAN" && spec.vlanId === undefined)
      ctx.addIssue({ code: "custom", path: ["vlanId"], message: "is required for a VLAN network" });
    if (spec.type !== "VLAN" && spec.type !== "EXTERNAL" && spec.vlanId !== undefined)
      ctx.addIssue({ code: "custom", path: ["vlanId"], message: `must be absent for a ${spec.type} network` });
    const cidr = parseCidr(spec.cidr);
    if (!isCidr(cidr)) return;
    const inside = (field: string, text: string | undefined, usable: boolean): void => {
      if (text === undefined) return;
      const ip = parseIPv4(text);
      if (ip === undefined) return;
      if (!cidrContains(cidr, ip))
        ctx.addIssue({ code: "custom", path: field.split("."), message: `must lie inside ${spec.cidr} (got ${text})` });
      else if (usable && cidr.prefix < 31 && (ip === cidr.first || ip === cidr.last))
        ctx.addIssue({
          code: "custom",
          path: field.split("."),
          message: `must not be the network or broadcast address of ${spec.cidr} (got ${text})`,
        });
    };
    inside("gateway", spec.gateway, true);
    inside("dhcp.rangeStart", spec.dhcp.rangeStart, true);
    inside("dhcp.rangeEnd", spec.dhcp.rangeEnd, true);
    const a = spec.dhcp.rangeStart ? parseIPv4(spec.dhcp.rangeStart) : undefined;
    const b = spec.dhcp.rangeEnd ? parseIPv4(spec.dhcp.rangeEnd) : undefined;
    if (a !== undefined && b !== undefined && a > b)
      ctx.addIssue({ code: "custom", path: ["dhcp", "rangeEnd"], message: "must not come before dhcp.rangeStart" });
  });
/** VirtualNetworkSpec is what a user asks of a virtual network. */
export type VirtualNetworkSpec = z.infer<typeof VirtualNetworkSpec>;

/** VirtualNetwork is an L2/L3 segment VMs attach to. */
export const VirtualNetwork = z.strictObject({
  ...metaFields,
  projectId: Id,
  spec: VirtualNetworkSpec,
  status: z
    .strictObject({
      phase: z.enum(["PENDING", "READY", "ERROR"]).default("READY"),
      message: z.string().max(1024).default(""),
    })
    .default({ phase: "READY", message: "" }),
});
/** VirtualNetwork is an L2/L3 segment VMs attach to. */
export type VirtualNetwork = z.infer<typeof VirtualNetwork>;

/** SecurityRule allows or denies one kind of traffic. */
export const SecurityRule = z
  .strictObject({
    id: Id,
    description: Description.default(""),
    direction: z.enum(["INGRESS", "EGRESS"]),
    protocol: z.enum(["TCP", "UDP", "ICMP", "ANY"]),
    portRange: z.strictObject({ from: z.int().min(1).max(65_535), to: z.int().min(1).max(65_535) }).optional(),
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
      ctx.addIssue({ code: "custom", path: ["portRange"], message: `must be absent for protocol ${r.protocol}` });
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
