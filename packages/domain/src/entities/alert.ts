import { z } from "zod";
import { Description, Id, Labels, metaFields, ResourceVersion, Timestamp } from "../common";

/** AlertSeverity ranks alerts. */
export const AlertSeverity = z.enum(["INFO", "WARNING", "CRITICAL"]);
/** AlertSeverity ranks alerts. */
export type AlertSeverity = z.infer<typeof AlertSeverity>;

/** AlertState is derived from acknowledgement and resolution: OPEN, ACKNOWLEDGED or RESOLVED. */
export const AlertState = z.enum(["OPEN", "ACKNOWLEDGED", "RESOLVED"]);
/** AlertState is OPEN, ACKNOWLEDGED or RESOLVED. */
export type AlertState = z.infer<typeof AlertState>;

/** Who did something to an alert, when, and the note they gave (or why the server did it). */
const Stamp = z.strictObject({
  by: z.string().min(1).max(128),
  at: Timestamp,
  comment: z.string().max(1024).optional(),
});

/** Alert is a condition that needs an operator's attention. */
export const Alert = z.strictObject({
  id: Id,
  resourceVersion: ResourceVersion,
  createdAt: Timestamp,
  updatedAt: Timestamp,
  labels: Labels.default({}),
  projectId: Id.optional(),
  clusterId: Id.optional(),
  severity: AlertSeverity,
  state: AlertState.default("OPEN"),
  source: z.strictObject({
    kind: z.string().min(1).max(64),
    id: Id.optional(),
    name: z.string().max(253).optional(),
  }),
  title: z.string().min(1).max(256),
  message: z.string().max(4096).default(""),
  /** Alerts with the same fingerprint are one alert raised again, not a new one. */
  fingerprint: z.string().min(1).max(256),
  ruleId: Id.optional(),
  acknowledged: Stamp.optional(),
  resolved: Stamp.optional(),
});
/** Alert is a condition that needs attention. */
export type Alert = z.infer<typeof Alert>;

/** AlertRule raises alerts when a metric crosses a threshold for long enough. */
export const AlertRule = z.strictObject({
  ...metaFields,
  spec: z.strictObject({
    description: Description.default(""),
    /** Metric the rule watches, e.g. `node.cpu.percent`, `node.memory.percent`, `pool.used.percent`. */
    metric: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[a-z][a-z0-9_.]*$/, { message: "must be a metric name such as node.cpu.percent" }),
    operator: z.enum(["gt", "gte", "lt", "lte"]),
    threshold: z.number(),
    /** How long the condition must hold before the alert fires. */
    forSec: z.int().min(0).max(86_400).default(0),
    severity: AlertSeverity,
    enabled: z.boolean().default(true),
    /** Which resources of the metric's kind the rule watches: those of one cluster, or one resource; empty means all. */
    scope: z.strictObject({ clusterId: Id.optional(), resourceId: Id.optional() }).default({}),
    /** How long after an alert of the rule resolves before the same resource may fire it again. */
    cooldownSec: z.int().min(0).max(604_800).default(0),
  }),
});
/** AlertRule raises alerts when a metric crosses a threshold. */
export type AlertRule = z.infer<typeof AlertRule>;
