import { create } from "@bufbuild/protobuf";
import { common } from "@limiquantix/api";
import type { LabelRequirement, LabelSelector, SelectorOperator } from "@limiquantix/domain";
import { enumCodec } from "../../rpc/convert/enum-codec";

type OperatorName = "equals" | "not-equals" | "in" | "not-in" | "exists" | "does-not-exist";

const NAME_OF: Readonly<Record<SelectorOperator, OperatorName>> = {
  "=": "equals",
  "!=": "not-equals",
  in: "in",
  notin: "not-in",
  exists: "exists",
  "!exists": "does-not-exist",
};
const OPERATOR_OF = Object.fromEntries(Object.entries(NAME_OF).map(([op, name]) => [name, op])) as Record<
  OperatorName,
  SelectorOperator
>;

/** selectorOperatorCodec converts label-selector operators by their spelled-out names (`!=` ↔ `NOT_EQUALS`). */
export const selectorOperatorCodec = enumCodec<OperatorName>(
  common.SelectorOperator,
  Object.values(NAME_OF),
  "SelectorOperator",
);

/** labelRequirementFromProto reads one selector clause; its operator is required. */
export function labelRequirementFromProto(r: common.LabelRequirement, field: string): LabelRequirement {
  const name = selectorOperatorCodec.required(r.operator, `${field}.operator`);
  return { key: r.key, operator: OPERATOR_OF[name], values: [...r.values] };
}

/** labelSelectorFromProto reads a selector, naming each clause by its index under field. */
export function labelSelectorFromProto(
  rs: readonly common.LabelRequirement[],
  field: string,
): LabelRequirement[] {
  return rs.map((r, i) => labelRequirementFromProto(r, `${field}[${i}]`));
}

/** labelSelectorToProto writes a selector. */
export function labelSelectorToProto(selector: LabelSelector): common.LabelRequirement[] {
  return selector.map((r) =>
    create(common.LabelRequirementSchema, {
      key: r.key,
      operator: selectorOperatorCodec.toProto(NAME_OF[r.operator]),
      values: [...r.values],
    }),
  );
}
