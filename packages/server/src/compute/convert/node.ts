import { create } from "@bufbuild/protobuf";
import { compute } from "@limiquantix/api";
import type { Node } from "@limiquantix/domain";
import { metaToProto, toTimestamp } from "../../rpc/convert/common";
import { conditionToProto } from "./condition";
import { nodePhaseCodec, nodeRoleCodec, taintEffectCodec } from "./node-enums";

/** nodeToProto writes a node: what it declared and operators set, and what the control plane observed. */
export function nodeToProto(n: Node): compute.Node {
  const st = n.status;
  return create(compute.NodeSchema, {
    ...metaToProto(n),
    clusterId: n.clusterId ?? "",
    spec: {
      hostname: n.spec.hostname,
      managementIp: n.spec.managementIp,
      agentAddress: n.spec.agentAddress ?? "",
      roles: n.spec.roles.map((r) => nodeRoleCodec.toProto(r)),
      taints: n.spec.taints.map((t) => ({
        key: t.key,
        value: t.value,
        effect: taintEffectCodec.toProto(t.effect),
      })),
      cpu: { ...n.spec.cpu },
      memoryMib: BigInt(n.spec.memoryMib),
      reserved: { vcpus: n.spec.reserved.vcpus, memoryMib: BigInt(n.spec.reserved.memoryMib) },
      cordoned: n.spec.cordoned,
    },
    status: {
      phase: nodePhaseCodec.toProto(st.phase),
      allocatable: { vcpus: st.allocatable.vcpus, memoryMib: BigInt(st.allocatable.memoryMib) },
      allocated: {
        vcpus: st.allocated.vcpus,
        memoryMib: BigInt(st.allocated.memoryMib),
        vmCount: st.allocated.vmCount,
      },
      ...(st.usage
        ? { usage: { cpuPercent: st.usage.cpuPercent, memoryUsedMib: BigInt(st.usage.memoryUsedMib) } }
        : {}),
      conditions: st.conditions.map(conditionToProto),
      lastHeartbeatTime: toTimestamp(st.lastHeartbeatAt),
      agentVersion: st.agentVersion ?? "",
      message: st.message,
    },
  });
}
