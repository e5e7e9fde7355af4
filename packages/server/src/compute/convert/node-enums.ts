import { compute } from "@limiquantix/api";
import { NODE_PHASES, type NodePhase, type NodeRole, type TaintEffect } from "@limiquantix/domain";
import { enumCodec } from "../../rpc/convert/enum-codec";

/** nodePhaseCodec converts node lifecycle phases. */
export const nodePhaseCodec = enumCodec<NodePhase>(compute.NodePhase, NODE_PHASES, "NodePhase");

/** taintEffectCodec converts taint effects (`NoSchedule` ↔ `NO_SCHEDULE`). */
export const taintEffectCodec = enumCodec<TaintEffect>(
  compute.TaintEffect,
  ["NoSchedule", "PreferNoSchedule", "NoExecute"],
  "TaintEffect",
);

/** nodeRoleCodec converts node roles. */
export const nodeRoleCodec = enumCodec<NodeRole>(
  compute.NodeRole,
  ["compute", "storage", "network", "management"],
  "NodeRole",
);
