import { create } from "@bufbuild/protobuf";
import { compute } from "@limiquantix/api";
import type { VmAffinityRules, VmHaPolicy, VmSpec } from "@limiquantix/domain";
import type { z } from "zod";
import { labelSelectorFromProto, labelSelectorToProto } from "./label-requirement";
import { taintEffectCodec } from "./node-enums";
import { toNumber } from "../../rpc/convert/request-fields";
import {
  desiredPowerStateCodec,
  stopModeCodec,
  diskBusCodec,
  hostRuleEnforcementCodec,
  hostRuleTypeCodec,
  nicModelCodec,
  restartPriorityCodec,
  tolerationOperatorCodec,
} from "./vm-enums";

/** VmSpecInput is a VM spec as the domain validates it (defaults not yet applied). */
export type VmSpecInput = z.input<typeof VmSpec>;

/** VM_WIRE_PATHS map the domain's nested CPU and memory fields to the wire's flat ones. */
export const VM_WIRE_PATHS = [
  ["spec.cpu.vcpus", "spec.vcpus"],
  ["spec.memory.sizeMib", "spec.memoryMib"],
  ["spec.cpu", "spec.vcpus"],
  ["spec.memory", "spec.memoryMib"],
] as const;

function rulesFromProto(r: compute.VmAffinityRules | undefined, field: string) {
  const term = (t: compute.VmAffinityTerm, f: string) => ({
    selector: labelSelectorFromProto(t.selector, `${f}.selector`),
    ...(t.topologyKey !== "" ? { topologyKey: t.topologyKey } : {}),
    ...(t.weight !== 0 ? { weight: t.weight } : {}),
  });
  return {
    required: (r?.required ?? []).map((t, i) => term(t, `${field}.required[${i}]`)),
    preferred: (r?.preferred ?? []).map((t, i) => term(t, `${field}.preferred[${i}]`)),
  };
}

/** haFromProto reads an HA policy; an unspecified priority keeps the domain default. */
export function haFromProto(ha: compute.VmHaPolicy, field: string): z.input<typeof VmHaPolicy> {
  const restartPriority = restartPriorityCodec.fromProto(ha.restartPriority, `${field}.restart_priority`);
  return { enabled: ha.enabled, ...(restartPriority ? { restartPriority } : {}) };
}

/** vmSpecFromProto reads a VM spec; enum numbers out of range are InvalidArgument naming the field, everything else is left to the domain's validation. */
export function vmSpecFromProto(s: compute.VmSpec, field = "spec"): VmSpecInput {
  const desired = desiredPowerStateCodec.fromProto(s.desiredPowerState, `${field}.desired_power_state`);
  return {
    description: s.description,
    cpu: { vcpus: s.vcpus },
    memory: { sizeMib: toNumber(s.memoryMib) },
    disks: s.disks.map((d, i) => {
      const bus = diskBusCodec.fromProto(d.bus, `${field}.disks[${i}].bus`);
      return {
        name: d.name,
        volumeId: d.volumeId,
        readOnly: d.readOnly,
        ...(bus ? { bus } : {}),
        ...(d.bootOrder !== undefined ? { bootOrder: d.bootOrder } : {}),
      };
    }),
    nics: s.nics.map((n, i) => {
      const model = nicModelCodec.fromProto(n.model, `${field}.nics[${i}].model`);
      return {
        name: n.name,
        networkId: n.networkId,
        securityGroupIds: [...n.securityGroupIds],
        ...(n.macAddress !== "" ? { macAddress: n.macAddress } : {}),
        ...(n.ipAddress !== "" ? { ipAddress: n.ipAddress } : {}),
        ...(model ? { model } : {}),
      };
    }),
    ...(s.bootImageId !== "" ? { bootImageId: s.bootImageId } : {}),
    nodeSelector: labelSelectorFromProto(s.nodeSelector, `${field}.node_selector`),
    tolerations: s.tolerations.map((t, i) => {
      const operator = tolerationOperatorCodec.fromProto(t.operator, `${field}.tolerations[${i}].operator`);
      const effect = taintEffectCodec.fromProto(t.effect, `${field}.tolerations[${i}].effect`);
      return {
        value: t.value,
        ...(t.key !== "" ? { key: t.key } : {}),
        ...(operator ? { operator } : {}),
        ...(effect ? { effect } : {}),
      };
    }),
    ...(s.affinity
      ? {
          affinity: {
            vmAffinity: rulesFromProto(s.affinity.vmAffinity, `${field}.affinity.vm_affinity`),
            vmAntiAffinity: rulesFromProto(s.affinity.vmAntiAffinity, `${field}.affinity.vm_anti_affinity`),
            hostRules: s.affinity.hostRules.map((h, i) => {
              const f = `${field}.affinity.host_rules[${i}]`;
              return {
                nodeSelector: labelSelectorFromProto(h.nodeSelector, `${f}.node_selector`),
                type: hostRuleTypeCodec.required(h.type, `${f}.type`),
                enforcement: hostRuleEnforcementCodec.required(h.enforcement, `${f}.enforcement`),
                ...(h.weight !== 0 ? { weight: h.weight } : {}),
              };
            }),
          },
        }
      : {}),
    ...(s.ha ? { ha: haFromProto(s.ha, `${field}.ha`) } : {}),
    ...(desired ? { desiredPowerState: desired } : {}),
  };
}

function rulesToProto(r: VmAffinityRules): compute.VmAffinityRules {
  const term = (t: VmAffinityRules["required"][number]) =>
    create(compute.VmAffinityTermSchema, {
      selector: labelSelectorToProto(t.selector),
      topologyKey: t.topologyKey,
      weight: t.weight,
    });
  return create(compute.VmAffinityRulesSchema, {
    required: r.required.map(term),
    preferred: r.preferred.map(term),
  });
}

/** haToProto writes an HA policy. */
export function haToProto(ha: VmHaPolicy): compute.VmHaPolicy {
  return create(compute.VmHaPolicySchema, {
    enabled: ha.enabled,
    restartPriority: restartPriorityCodec.toProto(ha.restartPriority),
  });
}

/** vmSpecToProto writes a VM spec. */
export function vmSpecToProto(s: VmSpec): compute.VmSpec {
  return create(compute.VmSpecSchema, {
    description: s.description,
    vcpus: s.cpu.vcpus,
    memoryMib: BigInt(s.memory.sizeMib),
    disks: s.disks.map((d) => ({
      name: d.name,
      volumeId: d.volumeId,
      bus: diskBusCodec.toProto(d.bus),
      bootOrder: d.bootOrder,
      readOnly: d.readOnly,
    })),
    nics: s.nics.map((n) => ({
      name: n.name,
      networkId: n.networkId,
      securityGroupIds: [...n.securityGroupIds],
      macAddress: n.macAddress ?? "",
      ipAddress: n.ipAddress ?? "",
      model: nicModelCodec.toProto(n.model),
    })),
    bootImageId: s.bootImageId ?? "",
    nodeSelector: labelSelectorToProto(s.nodeSelector),
    tolerations: s.tolerations.map((t) => ({
      key: t.key ?? "",
      operator: tolerationOperatorCodec.toProto(t.operator),
      value: t.value,
      effect: t.effect ? taintEffectCodec.toProto(t.effect) : 0,
    })),
    affinity: {
      vmAffinity: rulesToProto(s.affinity.vmAffinity),
      vmAntiAffinity: rulesToProto(s.affinity.vmAntiAffinity),
      hostRules: s.affinity.hostRules.map((h) => ({
        nodeSelector: labelSelectorToProto(h.nodeSelector),
        type: hostRuleTypeCodec.toProto(h.type),
        enforcement: hostRuleEnforcementCodec.toProto(h.enforcement),
        weight: h.weight,
      })),
    },
    ha: haToProto(s.ha),
    desiredPowerState: desiredPowerStateCodec.toProto(s.desiredPowerState),
    stopMode: stopModeCodec.toProto(s.stopMode),
  });
}
