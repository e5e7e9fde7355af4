import { create, toJson } from "@bufbuild/protobuf";
import { compute } from "@limiquantix/api";
import { type FieldViolation, type Node, type Taint, invalidArgument } from "@limiquantix/domain";
import type { NodeRegistration } from "../node-agent-service";
import type { NodeSettings } from "../node-service";
import { optionalString } from "../../rpc/convert/common";
import { nodeToProto } from "./node";
import { nodeRoleCodec, taintEffectCodec } from "./node-enums";
import { givenLabels, requireMessage, toNumber } from "../../rpc/convert/request-fields";
import { readUpdateMask } from "../../rpc/convert/update-mask";

/** taintFromProto reads a taint; its effect is required. */
export function taintFromProto(t: compute.Taint, field: string): Taint {
  return { key: t.key, value: t.value, effect: taintEffectCodec.required(t.effect, `${field}.effect`) };
}

function rolesFromProto(roles: readonly number[], field: string) {
  return roles.map((r, i) => nodeRoleCodec.required(r, `${field}[${i}]`));
}

function reservedFromProto(r: compute.NodeSpec["reserved"]) {
  return { vcpus: r?.vcpus ?? 0, memoryMib: toNumber(r?.memoryMib ?? 0n) };
}

/**
 * registrationFromProto reads a RegisterNodeRequest (or a JoinNodeRequest): what the agent declares, and the operator
 * settings (roles, taints, reservation, cordon) given beside it, applied once the node exists.
 */
export function registrationFromProto(
  req: Pick<compute.RegisterNodeRequest, "name" | "clusterId" | "labels" | "spec">,
): {
  registration: NodeRegistration;
  settings: NodeSettings;
} {
  const spec = requireMessage(req.spec, "spec");
  const cpu = requireMessage(spec.cpu, "spec.cpu");
  const registration: NodeRegistration = {
    name: req.name,
    hostname: spec.hostname,
    managementIp: spec.managementIp,
    agentAddress: spec.agentAddress,
    // proto3 lets a client leave threads_per_core out; a host without SMT has one thread per core.
    cpu: {
      sockets: cpu.sockets,
      coresPerSocket: cpu.coresPerSocket,
      threadsPerCore: cpu.threadsPerCore || 1,
    },
    memoryMib: toNumber(spec.memoryMib),
    labels: { ...req.labels },
    ...(optionalString(req.clusterId) ? { clusterId: req.clusterId } : {}),
  };
  const settings: NodeSettings = {
    ...(spec.roles.length > 0 ? { roles: rolesFromProto(spec.roles, "spec.roles") } : {}),
    ...(spec.taints.length > 0
      ? { taints: spec.taints.map((t, i) => taintFromProto(t, `spec.taints[${i}]`)) }
      : {}),
    ...(spec.reserved ? { reserved: reservedFromProto(spec.reserved) } : {}),
    ...(spec.cordoned ? { cordoned: true } : {}),
  };
  return { registration, settings };
}

/** Node spec fields only the node's agent declares, by wire path and JSON name. */
const DECLARED: readonly (readonly [path: string, json: string])[] = [
  ["spec.hostname", "hostname"],
  ["spec.management_ip", "managementIp"],
  ["spec.agent_address", "agentAddress"],
  ["spec.cpu", "cpu"],
  ["spec.memory_mib", "memoryMib"],
];

/** UPDATE_NODE_PATHS are the update_mask paths UpdateNode knows. */
export const UPDATE_NODE_PATHS = [
  "labels",
  "cluster_id",
  "spec",
  "spec.roles",
  "spec.taints",
  "spec.reserved",
  "spec.cordoned",
  ...DECLARED.map(([p]) => p),
] as const;

/**
 * nodeSettingsOf reads an UpdateNodeRequest against the node it changes: only masked fields (or,
 * with no mask, the fields given) apply; a field the agent declares that would change is
 * InvalidArgument, since the agent re-registers to change it.
 */
export function nodeSettingsOf(req: compute.UpdateNodeRequest, current: Node): NodeSettings {
  const mask = readUpdateMask(req.updateMask, UPDATE_NODE_PATHS);
  const spec = req.spec ?? create(compute.NodeSpecSchema);
  const asked = toJson(compute.NodeSpecSchema, spec) as Record<string, unknown>;
  const now = toJson(compute.NodeSpecSchema, requireMessage(nodeToProto(current).spec, "spec")) as Record<
    string,
    unknown
  >;
  const violations: FieldViolation[] = [];
  for (const [path, json] of DECLARED)
    if (
      mask.applies(path, asked[json] !== undefined) &&
      JSON.stringify(asked[json]) !== JSON.stringify(now[json])
    )
      violations.push({
        field: path,
        description: "is declared by the node's agent and changes when it registers again",
      });
  if (violations.length > 0) throw invalidArgument(violations);
  return {
    ...(mask.applies("labels", givenLabels(req.labels)) ? { labels: { ...req.labels } } : {}),
    ...(mask.applies("cluster_id", req.clusterId !== "") ? { clusterId: req.clusterId } : {}),
    ...(mask.applies("spec.roles", spec.roles.length > 0)
      ? { roles: rolesFromProto(spec.roles, "spec.roles") }
      : {}),
    ...(mask.applies("spec.taints", spec.taints.length > 0)
      ? { taints: spec.taints.map((t, i) => taintFromProto(t, `spec.taints[${i}]`)) }
      : {}),
    ...(mask.applies("spec.reserved", spec.reserved !== undefined)
      ? { reserved: reservedFromProto(spec.reserved) }
      : {}),
    ...(mask.applies("spec.cordoned", spec.cordoned) ? { cordoned: spec.cordoned } : {}),
  };
}
