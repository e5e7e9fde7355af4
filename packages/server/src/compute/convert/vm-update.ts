import { create, toJson } from "@bufbuild/protobuf";
import { compute } from "@limiquantix/api";
import {
  type FieldViolation,
  type VirtualMachine,
  VmHaPolicy,
  invalidArgument,
  parseOrThrow,
} from "@limiquantix/domain";
import type { VmPatch } from "../vm-service";
import { givenLabels } from "../../rpc/convert/request-fields";
import { readUpdateMask } from "../../rpc/convert/update-mask";
import { haFromProto, vmSpecToProto } from "./vm-spec";

/** Spec fields UpdateVM cannot change, by wire path, with their JSON name and what to use instead. */
const FIXED: readonly (readonly [path: string, json: string, instead: string])[] = [
  ["spec.disks", "disks", "use AttachVolume and DetachVolume"],
  ["spec.nics", "nics", "NICs are fixed at creation; clone the VM to change them"],
  ["spec.boot_image_id", "bootImageId", "the boot image is fixed at creation"],
  [
    "spec.node_selector",
    "nodeSelector",
    "placement rules are fixed at creation; clone the VM to change them",
  ],
  ["spec.tolerations", "tolerations", "placement rules are fixed at creation; clone the VM to change them"],
  ["spec.affinity", "affinity", "placement rules are fixed at creation; clone the VM to change them"],
  ["spec.desired_power_state", "desiredPowerState", "use StartVM, StopVM, PauseVM, ResumeVM or SuspendVM"],
];

/** UPDATE_VM_PATHS are the update_mask paths UpdateVM knows. */
export const UPDATE_VM_PATHS = [
  "labels",
  "spec",
  "spec.description",
  "spec.vcpus",
  "spec.memory_mib",
  "spec.ha",
  ...FIXED.map(([p]) => p),
] as const;

/**
 * vmPatchOf reads an UpdateVMRequest against the VM it changes: only masked fields (or, with no
 * mask, the fields given) are applied, CPU and memory only when they actually change (so echoing a
 * running VM's spec back does not ask for a resize), and a fixed field that would change is
 * InvalidArgument saying which call changes it instead.
 */
export function vmPatchOf(req: compute.UpdateVMRequest, current: VirtualMachine): VmPatch {
  const mask = readUpdateMask(req.updateMask, UPDATE_VM_PATHS);
  const spec = req.spec ?? create(compute.VmSpecSchema);
  const patch: { -readonly [K in keyof VmPatch]: VmPatch[K] } = {};
  if (mask.applies("labels", givenLabels(req.labels))) patch.labels = { ...req.labels };
  if (mask.applies("spec.description", spec.description !== "")) patch.description = spec.description;
  if (mask.applies("spec.vcpus", spec.vcpus !== 0) && spec.vcpus !== current.spec.cpu.vcpus)
    patch.cpu = { vcpus: spec.vcpus };
  const memoryMib = Number(spec.memoryMib);
  if (mask.applies("spec.memory_mib", memoryMib !== 0) && memoryMib !== current.spec.memory.sizeMib)
    patch.memory = { sizeMib: memoryMib };
  if (mask.applies("spec.ha", spec.ha !== undefined)) {
    const ha = haFromProto(spec.ha ?? create(compute.VmHaPolicySchema), "spec.ha");
    patch.ha = parseOrThrow(VmHaPolicy, ha, undefined, ["spec", "ha"]);
  }
  const asked = toJson(compute.VmSpecSchema, spec) as Record<string, unknown>;
  const now = toJson(compute.VmSpecSchema, vmSpecToProto(current.spec)) as Record<string, unknown>;
  const violations: FieldViolation[] = [];
  for (const [path, json, instead] of FIXED) {
    const given = asked[json] !== undefined;
    if (mask.applies(path, given) && JSON.stringify(asked[json]) !== JSON.stringify(now[json]))
      violations.push({ field: path, description: `cannot be changed by UpdateVM: ${instead}` });
  }
  if (violations.length > 0) throw invalidArgument(violations);
  return patch;
}
