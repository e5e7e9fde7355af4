import { create } from "@bufbuild/protobuf";
import { network } from "@limiquantix/api";
import { SecurityRule, parseOrThrow } from "@limiquantix/domain";
import { enumCodec } from "../../rpc/convert/enum-codec";

/** ruleDirectionCodec converts rule directions between the domain and the wire. */
export const ruleDirectionCodec = enumCodec<SecurityRule["direction"]>(
  network.RuleDirection,
  ["INGRESS", "EGRESS"],
  "RuleDirection",
);

/** ruleProtocolCodec converts rule protocols between the domain and the wire. */
export const ruleProtocolCodec = enumCodec<SecurityRule["protocol"]>(
  network.RuleProtocol,
  ["TCP", "UDP", "ICMP", "ANY"],
  "RuleProtocol",
);

/** ruleActionCodec converts rule actions between the domain and the wire. */
export const ruleActionCodec = enumCodec<SecurityRule["action"]>(
  network.RuleAction,
  ["ALLOW", "DENY"],
  "RuleAction",
);

/** securityRuleToProto gives the wire form of a rule. */
export function securityRuleToProto(r: SecurityRule): network.SecurityRule {
  return create(network.SecurityRuleSchema, {
    id: r.id,
    description: r.description,
    direction: ruleDirectionCodec.toProto(r.direction),
    protocol: ruleProtocolCodec.toProto(r.protocol),
    portRange: r.portRange ? { from: r.portRange.from, to: r.portRange.to } : undefined,
    cidr: r.cidr,
    action: ruleActionCodec.toProto(r.action),
    priority: r.priority,
  });
}

/**
 * securityRuleFromProto reads a rule off the wire and validates it with the domain schema
 * (violations are named under `field`). A rule without an id gets one from newId; empty cidr,
 * action and priority mean the defaults (anywhere, ALLOW, 1000).
 */
export function securityRuleFromProto(
  r: network.SecurityRule,
  field: string,
  newId: () => string,
): SecurityRule {
  const action = ruleActionCodec.fromProto(r.action, `${field}.action`);
  const raw = {
    id: r.id || newId(),
    description: r.description,
    direction: ruleDirectionCodec.fromProto(r.direction, `${field}.direction`),
    protocol: ruleProtocolCodec.fromProto(r.protocol, `${field}.protocol`),
    ...(r.portRange ? { portRange: { from: r.portRange.from, to: r.portRange.to } } : {}),
    ...(r.cidr ? { cidr: r.cidr } : {}),
    ...(action ? { action } : {}),
    ...(r.priority !== 0 ? { priority: r.priority } : {}),
  };
  return parseOrThrow(SecurityRule, raw, undefined, field.split("."));
}
