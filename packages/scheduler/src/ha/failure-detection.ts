import type { HaSettings, Node } from "@limiquantix/domain";
import { timeOf } from "../snapshot/cluster-scope";

/** NodeHealth is how HA sees a node: HEALTHY, SUSPECT (heartbeats late), FAILED (dead) or ISOLATED (management path lost, still alive). */
export type NodeHealth = "HEALTHY" | "SUSPECT" | "FAILED" | "ISOLATED";

/** DetectionInput is what failure detection decides on; time comes in as data so the decision is repeatable. */
export interface DetectionInput {
  readonly nodes: readonly Node[];
  /** The current time: ISO timestamp or epoch milliseconds. */
  readonly now: string | number;
  /** Heartbeat times per node id (ISO or epoch ms, any order); a node's `status.lastHeartbeatAt` is used as well. */
  readonly heartbeats?: ReadonlyMap<string, readonly (string | number)[]>;
  /**
   * The second signal: ids of nodes whose lease in the coordinator is alive. Omit it when no
   * coordinator is consulted; then missing heartbeats alone mean FAILED.
   */
  readonly liveLeases?: ReadonlySet<string>;
  /** checkIntervalSec and failureThreshold (domain defaults 30 s and 3), as in a cluster's `spec.ha`. */
  readonly settings?: Partial<Pick<HaSettings, "checkIntervalSec" | "failureThreshold">>;
}

/** NodeClassification is one node's health with the evidence behind it. */
export interface NodeClassification {
  readonly nodeId: string;
  readonly health: NodeHealth;
  /** Whole heartbeat intervals elapsed since the last heartbeat (or registration). */
  readonly missedHeartbeats: number;
  /** Epoch ms of the last heartbeat, if any. */
  readonly lastHeartbeatAt: number | undefined;
  /** Whether the node's lease was alive; undefined without a second signal. */
  readonly leaseAlive: boolean | undefined;
  readonly reason: string;
}

function lastBeat(node: Node, history: readonly (string | number)[] | undefined): number | undefined {
  let last: number | undefined;
  const consider = (at: string | number | undefined) => {
    if (at === undefined) return;
    const t = timeOf(at);
    if (!Number.isNaN(t) && (last === undefined || t > last)) last = t;
  };
  consider(node.status.lastHeartbeatAt);
  for (const at of history ?? []) consider(at);
  return last;
}

/**
 * classifyNodes decides the health of each node from its heartbeats and, when given, its lease:
 * within one interval it is HEALTHY; late by fewer than `failureThreshold` intervals it is
 * SUSPECT; beyond that it is FAILED, unless its lease is still alive, in which case only its
 * management path is lost and it is ISOLATED, never to be failed over. A node that has never
 * sent a heartbeat is timed from its registration.
 */
export function classifyNodes(input: DetectionInput): NodeClassification[] {
  const interval = (input.settings?.checkIntervalSec ?? 30) * 1000;
  const threshold = input.settings?.failureThreshold ?? 3;
  const now = timeOf(input.now);
  return input.nodes.map((node) => {
    const last = lastBeat(node, input.heartbeats?.get(node.id));
    const since = last ?? timeOf(node.createdAt);
    const missed = Math.max(0, Math.floor((now - since) / interval));
    const leaseAlive = input.liveLeases === undefined ? undefined : input.liveLeases.has(node.id);
    const late = `no heartbeat for ${missed} interval(s) of ${interval / 1000} s`;
    let health: NodeHealth;
    let reason: string;
    if (missed < 1) {
      health = "HEALTHY";
      reason =
        leaseAlive === false ? "heartbeats on time; lease missing in the coordinator" : "heartbeats on time";
    } else if (missed < threshold) {
      health = "SUSPECT";
      reason = `${late} (fails at ${threshold})`;
    } else if (leaseAlive === true) {
      health = "ISOLATED";
      reason = `${late}, but its lease is alive: management path lost, not failed over`;
    } else {
      health = "FAILED";
      reason = leaseAlive === false ? `${late} and its lease expired` : late;
    }
    return { nodeId: node.id, health, missedHeartbeats: missed, lastHeartbeatAt: last, leaseAlive, reason };
  });
}
