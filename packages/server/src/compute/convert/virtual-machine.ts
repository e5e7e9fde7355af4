import { create } from "@bufbuild/protobuf";
import { compute } from "@limiquantix/api";
import type { VirtualMachine, VmSnapshot } from "@limiquantix/domain";
import { metaToProto, toTimestamp } from "../../rpc/convert/common";
import { conditionToProto } from "./condition";
import { powerStateCodec, snapshotPhaseCodec } from "./vm-enums";
import { vmSpecToProto } from "./vm-spec";

/** vmToProto writes a VM: its spec as asked, its status as reported (and the addresses its NICs hold). */
export function vmToProto(vm: VirtualMachine): compute.VirtualMachine {
  const st = vm.status;
  return create(compute.VirtualMachineSchema, {
    ...metaToProto(vm),
    projectId: vm.projectId,
    clusterId: vm.clusterId ?? "",
    spec: vmSpecToProto(vm.spec),
    status: {
      powerState: powerStateCodec.toProto(st.powerState),
      nodeId: st.nodeId ?? "",
      ipAddresses: [...st.ipAddresses],
      nics: st.nics.map((n) => ({
        name: n.name,
        networkId: n.networkId,
        ipAddress: n.ipAddress,
        macAddress: n.macAddress,
      })),
      conditions: st.conditions.map(conditionToProto),
      message: st.message,
      lastTransitionTime: toTimestamp(st.lastTransitionAt),
      ...(st.migration
        ? {
            migration: {
              targetNodeId: st.migration.targetNodeId,
              progressPercent: st.migration.progressPercent,
              startTime: toTimestamp(st.migration.startedAt),
            },
          }
        : {}),
    },
  });
}

/** vmSnapshotToProto writes a VM snapshot. */
export function vmSnapshotToProto(s: VmSnapshot): compute.VmSnapshot {
  return create(compute.VmSnapshotSchema, {
    ...metaToProto(s),
    projectId: s.projectId,
    vmId: s.vmId,
    description: s.description,
    includeMemory: s.includeMemory,
    phase: snapshotPhaseCodec.toProto(s.status.phase),
    sizeBytes: BigInt(s.status.sizeBytes ?? 0),
    message: s.status.message,
  });
}
