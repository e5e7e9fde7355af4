import { create } from "@bufbuild/protobuf";
import { alert } from "@limiquantix/api";
import { AlertRule, parseOrThrow } from "@limiquantix/domain";
import { metaToProto, optionalString } from "../../rpc/convert/common";
import { enumCodec } from "../../rpc/convert/enum-codec";
import { alertSeverityCodec } from "./alert";

/** AlertRuleSpec is a rule's spec as the domain holds it. */
type AlertRuleSpec = AlertRule["spec"];

/** thresholdOperatorCodec converts a rule's comparison between the domain (`gt`) and the wire (`THRESHOLD_OPERATOR_GT`). */
export const thresholdOperatorCodec = enumCodec<AlertRuleSpec["operator"]>(
  alert.ThresholdOperator,
  ["gt", "gte", "lt", "lte"],
  "ThresholdOperator",
);

/** alertRuleSpecToProto gives the wire form of a rule's spec. */
export function alertRuleSpecToProto(spec: AlertRuleSpec): alert.AlertRuleSpec {
  return create(alert.AlertRuleSpecSchema, {
    description: spec.description,
    metric: spec.metric,
    operator: thresholdOperatorCodec.toProto(spec.operator),
    threshold: spec.threshold,
    forSec: spec.forSec,
    severity: alertSeverityCodec.toProto(spec.severity),
    enabled: spec.enabled,
    scope: { clusterId: spec.scope.clusterId ?? "", resourceId: spec.scope.resourceId ?? "" },
    cooldownSec: spec.cooldownSec,
  });
}

/** alertRuleToProto gives the wire form of a rule. */
export function alertRuleToProto(r: AlertRule): alert.AlertRule {
  return create(alert.AlertRuleSchema, { ...metaToProto(r), spec: alertRuleSpecToProto(r.spec) });
}

/**
 * alertRuleSpecFromProto reads a rule's spec off the wire and validates it with the domain schema
 * (violations are named under `field`). proto3 cannot tell `enabled: false` from absent, so the
 * wire's false is kept: a rule created without `enabled` is disabled, as its message says.
 */
export function alertRuleSpecFromProto(spec: alert.AlertRuleSpec, field = "spec"): AlertRuleSpec {
  const clusterId = optionalString(spec.scope?.clusterId ?? "");
  const resourceId = optionalString(spec.scope?.resourceId ?? "");
  const raw = {
    description: spec.description,
    metric: spec.metric,
    operator: thresholdOperatorCodec.required(spec.operator, `${field}.operator`),
    threshold: spec.threshold,
    forSec: spec.forSec,
    severity: alertSeverityCodec.required(spec.severity, `${field}.severity`),
    enabled: spec.enabled,
    scope: { ...(clusterId ? { clusterId } : {}), ...(resourceId ? { resourceId } : {}) },
    cooldownSec: spec.cooldownSec,
  };
  return parseOrThrow(AlertRule.shape.spec, raw, undefined, field.split("."));
}
