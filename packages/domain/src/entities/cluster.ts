import { z } from "zod";
import { Description, metaFields, Timestamp } from "../common";

/** AdmissionControlPolicy says how HA capacity is kept in reserve. */
export const AdmissionControlPolicy = z.enum(["disabled", "tolerate-host-failures", "reserve-percentage"]);
/** AdmissionControlPolicy says how HA capacity is kept in reserve. */
export type AdmissionControlPolicy = z.infer<typeof AdmissionControlPolicy>;

/**
 * HaSettings configure failure detection and restart of a cluster's VMs. Admission control is off
 * unless asked for: a cluster of one host could not tolerate a host failure, and would refuse
 * every HA VM.
 */
export const HaSettings = z.strictObject({
  enabled: z.boolean().default(true),
  checkIntervalSec: z.int().min(1).max(3600).default(30),
  failureThreshold: z.int().min(1).max(100).default(3),
  admissionControl: z
    .strictObject({
      policy: AdmissionControlPolicy.default("disabled"),
      hostFailuresToTolerate: z.int().min(0).max(64).default(1),
      cpuReservePercent: z.int().min(0).max(100).default(25),
      memoryReservePercent: z.int().min(0).max(100).default(25),
    })
    .default({
      policy: "disabled",
      hostFailuresToTolerate: 1,
      cpuReservePercent: 25,
      memoryReservePercent: 25,
    }),
});
/** HaSettings configure failure detection and restart. */
export type HaSettings = z.infer<typeof HaSettings>;

/** DrsAutomationLevel says which DRS recommendations apply without a human. */
export const DrsAutomationLevel = z.enum(["manual", "partial", "full"]);
/** DrsAutomationLevel says which DRS recommendations apply without a human. */
export type DrsAutomationLevel = z.infer<typeof DrsAutomationLevel>;

/** DrsSettings configure load balancing of a cluster. */
export const DrsSettings = z.strictObject({
  enabled: z.boolean().default(true),
  automationLevel: DrsAutomationLevel.default("partial"),
  migrationThreshold: z.int().min(1).max(5).default(3),
  intervalSec: z.int().min(10).max(86_400).default(300),
  cpuThresholdPercent: z.int().min(1).max(100).default(80),
  memoryThresholdPercent: z.int().min(1).max(100).default(85),
  maxMovesPerPass: z.int().min(1).max(1000).default(10),
});
/** DrsSettings configure load balancing. */
export type DrsSettings = z.infer<typeof DrsSettings>;

/** OvercommitRatios say how far allocations may exceed physical capacity. */
export const OvercommitRatios = z.strictObject({
  cpu: z.number().min(1).max(32).default(2.0),
  memory: z.number().min(1).max(4).default(1.5),
});
/** OvercommitRatios say how far allocations may exceed physical capacity. */
export type OvercommitRatios = z.infer<typeof OvercommitRatios>;

/** ClusterSpec is what an operator configures for a cluster. */
export const ClusterSpec = z.strictObject({
  description: Description.default(""),
  ha: HaSettings.default(HaSettings.parse({})),
  drs: DrsSettings.default(DrsSettings.parse({})),
  overcommit: OvercommitRatios.default({ cpu: 2.0, memory: 1.5 }),
});
/** ClusterSpec is what an operator configures for a cluster. */
export type ClusterSpec = z.infer<typeof ClusterSpec>;

/**
 * DrsRunStatus is what the DRS controller reports about a cluster, and how any replica asks it for
 * a pass now: RunNow raises `runRequests`; the leader's pass records the count it served.
 */
export const DrsRunStatus = z.strictObject({
  /** When the last pass started. */
  lastRunAt: Timestamp.optional(),
  /** When the next scheduled pass is due. */
  nextRunAt: Timestamp.optional(),
  /** The imbalance when the last pass started. */
  imbalanceBefore: z.number().min(0).optional(),
  /** The imbalance the last pass expects once its moves are made. */
  imbalanceAfter: z.number().min(0).optional(),
  /** What the last pass did, in a sentence. */
  lastResult: z.string().max(1024).optional(),
  /** Why the last pass failed, when it did. */
  lastError: z.string().max(1024).optional(),
  /** How many times a pass was asked for (RunNow); only ever grows. */
  runRequests: z.int().min(0).default(0),
  /** The value of `runRequests` the last pass started after: a request above it is still waiting. */
  runsServed: z.int().min(0).default(0),
  /** When the last pass was asked for. */
  runRequestedAt: Timestamp.optional(),
});
/** DrsRunStatus is what the DRS controller reports about a cluster. */
export type DrsRunStatus = z.infer<typeof DrsRunStatus>;

/** ClusterStatus is what the control plane reports about a cluster. */
export const ClusterStatus = z.strictObject({
  drs: DrsRunStatus.optional(),
});
/** ClusterStatus is what the control plane reports about a cluster. */
export type ClusterStatus = z.infer<typeof ClusterStatus>;

/** Cluster groups nodes that share HA, DRS and overcommit settings; its status is absent until DRS first reports. */
export const Cluster = z.strictObject({
  ...metaFields,
  spec: ClusterSpec,
  status: ClusterStatus.optional(),
});
/** Cluster groups nodes that share HA, DRS and overcommit settings. */
export type Cluster = z.infer<typeof Cluster>;
