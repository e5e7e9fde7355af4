import type { SecurityRule } from "../entities/network";
import type { AgentNic } from "../ports/agent-pool";

/** AgentSecurityRule is a security rule as an agent enforces it on a NIC: the rule and the group it comes from. */
export interface AgentSecurityRule extends Omit<SecurityRule, "description"> {
  readonly groupId: string;
}

/**
 * AgentNicConfig is a NIC as the control plane hands it to an agent: the NIC of `AgentNic` plus its
 * address (with the network's prefix length and gateway), the VLAN or overlay segment it is
 * plugged into, and the rules of the security groups on it, in evaluation order. Every extra field
 * is optional, so a NIC of a definition that carries none of them still reads as one.
 */
export interface AgentNicConfig extends AgentNic {
  readonly ipAddress?: string;
  /** Length of the network's prefix (24 for a /24). */
  readonly prefixLength?: number;
  readonly gateway?: string;
  /** 802.1Q tag of the NIC's traffic; absent means untagged. */
  readonly vlanId?: number;
  /** Overlay segment (VXLAN VNI) of an overlay network. */
  readonly vni?: number;
  readonly securityGroupIds?: readonly string[];
  /** Rules of the NIC's security groups, lowest priority number first. */
  readonly securityRules?: readonly AgentSecurityRule[];
}

/**
 * agentNicConfig reads a NIC of an `AgentVmDefinition` with its addressing, VLAN and security
 * rules (absent when the sender gave none): the definition's NICs carry them as `AgentNicConfig`.
 */
export function agentNicConfig(nic: AgentNic): AgentNicConfig {
  return nic;
}

/** orderedRules sorts a NIC's rules as an agent evaluates them: by priority, ties in the order given. */
export function orderedRules(rules: readonly AgentSecurityRule[]): AgentSecurityRule[] {
  return rules
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.priority - b.r.priority || a.i - b.i)
    .map(({ r }) => r);
}
