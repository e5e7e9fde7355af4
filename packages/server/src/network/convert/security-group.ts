import { create } from "@bufbuild/protobuf";
import { network } from "@limiquantix/api";
import { SecurityGroup, parseOrThrow } from "@limiquantix/domain";
import { metaToProto } from "../../rpc/convert/common";
import { securityRuleFromProto, securityRuleToProto } from "./security-rule";

/** securityGroupSpecToProto gives the wire form of a group's spec. */
export function securityGroupSpecToProto(spec: SecurityGroup["spec"]): network.SecurityGroupSpec {
  return create(network.SecurityGroupSpecSchema, {
    description: spec.description,
    rules: spec.rules.map(securityRuleToProto),
  });
}

/** securityGroupToProto gives the wire form of a security group. */
export function securityGroupToProto(g: SecurityGroup): network.SecurityGroup {
  return create(network.SecurityGroupSchema, {
    ...metaToProto(g),
    projectId: g.projectId,
    spec: securityGroupSpecToProto(g.spec),
  });
}

/**
 * securityGroupSpecFromProto reads a group spec off the wire and validates it with the domain
 * schema (rule ids unique, each rule well-formed; violations named under `field`); rules without
 * an id get one from newId. An absent spec is an empty group.
 */
export function securityGroupSpecFromProto(
  spec: network.SecurityGroupSpec | undefined,
  newId: () => string,
  field = "spec",
): SecurityGroup["spec"] {
  const raw = {
    description: spec?.description ?? "",
    rules: (spec?.rules ?? []).map((r, i) => securityRuleFromProto(r, `${field}.rules[${i}]`, newId)),
  };
  return parseOrThrow(SecurityGroup.shape.spec, raw, undefined, field.split("."));
}
