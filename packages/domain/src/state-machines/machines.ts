import { RECOMMENDATION_STATES, type RecommendationState } from "../entities/drs-recommendation";
import { NODE_PHASES, type NodePhase } from "../entities/node";
import { VOLUME_PHASES, type VolumePhase } from "../entities/storage";
import { POWER_STATES, type PowerState } from "../entities/virtual-machine";
import { defineStateMachine, type StateMachine } from "./state-machine";

/** VM_POWER_MACHINE is the lifecycle of a VM's power state. */
export const VM_POWER_MACHINE: StateMachine<PowerState> = defineStateMachine<PowerState>({
  name: "VM power state",
  states: POWER_STATES,
  transitions: {
    PENDING: ["STOPPED", "STARTING", "FAILED", "DELETING"],
    STOPPED: ["STARTING", "MIGRATING", "FAILED", "DELETING"],
    STARTING: ["RUNNING", "STOPPING", "STOPPED", "FAILED"],
    RUNNING: ["STOPPING", "STOPPED", "PAUSED", "SUSPENDED", "MIGRATING", "STARTING", "FAILED"],
    STOPPING: ["STOPPED", "RUNNING", "FAILED"],
    PAUSED: ["RUNNING", "STOPPING", "STOPPED", "FAILED"],
    SUSPENDED: ["STARTING", "RUNNING", "STOPPED", "FAILED", "DELETING"],
    MIGRATING: ["RUNNING", "STOPPED", "FAILED"],
    FAILED: ["STARTING", "STOPPED", "DELETING"],
    DELETING: [],
  },
  terminal: ["DELETING"],
});

/** VOLUME_MACHINE is the lifecycle of a volume: CREATING → AVAILABLE ⇄ IN_USE (via DETACHING) → DELETING, or ERROR. */
export const VOLUME_MACHINE: StateMachine<VolumePhase> = defineStateMachine<VolumePhase>({
  name: "volume phase",
  states: VOLUME_PHASES,
  transitions: {
    CREATING: ["AVAILABLE", "ERROR"],
    AVAILABLE: ["IN_USE", "DELETING", "ERROR"],
    IN_USE: ["DETACHING", "ERROR"],
    DETACHING: ["AVAILABLE", "ERROR"],
    ERROR: ["AVAILABLE", "DELETING"],
    DELETING: [],
  },
  terminal: ["DELETING"],
});

/**
 * NODE_MACHINE is the lifecycle of a node's phase. A NOT_READY node is fenced (FENCING) and, once
 * fenced, FAILED; a FENCING node never becomes READY by itself (it might still run VMs), only FAILED
 * once fenced; a FAILED node that comes back (powered on again) is READY.
 */
export const NODE_MACHINE: StateMachine<NodePhase> = defineStateMachine<NodePhase>({
  name: "node phase",
  states: NODE_PHASES,
  transitions: {
    PENDING: ["READY", "NOT_READY", "MAINTENANCE", "DECOMMISSIONED"],
    READY: ["NOT_READY", "MAINTENANCE", "DECOMMISSIONED"],
    NOT_READY: ["READY", "MAINTENANCE", "DECOMMISSIONED", "FENCING", "FAILED"],
    MAINTENANCE: ["READY", "NOT_READY", "DECOMMISSIONED"],
    DECOMMISSIONED: [],
    FENCING: ["FAILED", "DECOMMISSIONED"],
    FAILED: ["READY", "DECOMMISSIONED"],
  },
  terminal: ["DECOMMISSIONED"],
});

/**
 * RECOMMENDATION_MACHINE is the lifecycle of a DRS recommendation: a pending one is approved,
 * rejected, superseded by a later pass, or applied at once (full automation); an approved one is
 * applied (or superseded when its VM moved meanwhile); applying ends applied or failed.
 */
export const RECOMMENDATION_MACHINE: StateMachine<RecommendationState> =
  defineStateMachine<RecommendationState>({
    name: "recommendation state",
    states: RECOMMENDATION_STATES,
    transitions: {
      PENDING: ["APPROVED", "REJECTED", "SUPERSEDED", "APPLYING"],
      APPROVED: ["APPLYING", "REJECTED", "SUPERSEDED"],
      APPLYING: ["APPLIED", "FAILED"],
      APPLIED: [],
      REJECTED: [],
      FAILED: [],
      SUPERSEDED: [],
    },
    terminal: ["APPLIED", "REJECTED", "FAILED", "SUPERSEDED"],
  });
