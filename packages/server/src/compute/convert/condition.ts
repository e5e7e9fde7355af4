import { create } from "@bufbuild/protobuf";
import { common } from "@limiquantix/api";
import type { Condition } from "@limiquantix/domain";
import { toTimestamp } from "../../rpc/convert/common";
import { enumCodec } from "../../rpc/convert/enum-codec";

/** conditionStatusCodec converts the tri-state of a condition (`True` ↔ `TRUE`). */
export const conditionStatusCodec = enumCodec<Condition["status"]>(
  common.ConditionStatus,
  ["True", "False", "Unknown"],
  "ConditionStatus",
);

/** conditionToProto writes one observed condition. */
export function conditionToProto(c: Condition): common.Condition {
  return create(common.ConditionSchema, {
    type: c.type,
    status: conditionStatusCodec.toProto(c.status),
    reason: c.reason,
    message: c.message,
    lastTransitionTime: toTimestamp(c.lastTransitionAt),
  });
}
