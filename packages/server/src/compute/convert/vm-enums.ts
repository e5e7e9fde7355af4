import { compute } from "@limiquantix/api";
import {
  type DesiredPowerState,
  POWER_STATES,
  type PowerState,
  type RestartPriority,
  type SnapshotPhase,
  type Toleration,
  type HostRule,
  type VmDisk,
  type VmNic,
} from "@limiquantix/domain";
import { enumCodec } from "../../rpc/convert/enum-codec";

/** powerStateCodec converts VM power states. */
export const powerStateCodec = enumCodec<PowerState>(compute.PowerState, POWER_STATES, "PowerState");

/** desiredPowerStateCodec converts the power state a user asks for. */
export const desiredPowerStateCodec = enumCodec<DesiredPowerState>(
  compute.DesiredPowerState,
  ["RUNNING", "STOPPED", "PAUSED", "SUSPENDED"],
  "DesiredPowerState",
);

/** diskBusCodec converts disk buses. */
export const diskBusCodec = enumCodec<VmDisk["bus"]>(
  compute.DiskBus,
  ["virtio", "scsi", "sata", "ide"],
  "DiskBus",
);

/** nicModelCodec converts emulated NIC models. */
export const nicModelCodec = enumCodec<VmNic["model"]>(
  compute.NicModel,
  ["virtio", "e1000", "rtl8139"],
  "NicModel",
);

/** restartPriorityCodec converts HA restart priorities. */
export const restartPriorityCodec = enumCodec<RestartPriority>(
  compute.RestartPriority,
  ["high", "medium", "low"],
  "RestartPriority",
);

/** snapshotPhaseCodec converts VM snapshot phases. */
export const snapshotPhaseCodec = enumCodec<SnapshotPhase>(
  compute.SnapshotPhase,
  ["CREATING", "READY", "ERROR", "DELETING"],
  "SnapshotPhase",
);

/** tolerationOperatorCodec converts toleration operators. */
export const tolerationOperatorCodec = enumCodec<Toleration["operator"]>(
  compute.TolerationOperator,
  ["Equal", "Exists"],
  "TolerationOperator",
);

/** hostRuleTypeCodec converts whether a host rule binds a VM to nodes or keeps it off them. */
export const hostRuleTypeCodec = enumCodec<HostRule["type"]>(
  compute.HostRule_Type,
  ["run-on", "not-run-on"],
  "HostRule.Type",
);

/** hostRuleEnforcementCodec converts whether a host rule is hard or scored. */
export const hostRuleEnforcementCodec = enumCodec<HostRule["enforcement"]>(
  compute.HostRule_Enforcement,
  ["must", "should"],
  "HostRule.Enforcement",
);

/** stopModeCodec converts how StopVM stops a VM. */
export const stopModeCodec = enumCodec<"graceful" | "force">(
  compute.StopMode,
  ["graceful", "force"],
  "StopMode",
);
