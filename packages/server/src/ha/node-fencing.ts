import { assertTransition, NODE_MACHINE, type Node } from "@limiquantix/domain";
import { conditionOf, withCondition } from "../shared/conditions";
import { readModifyWrite } from "../shared/read-modify-write";
import type { ServiceDeps } from "../shared/service-deps";
import type { FencerChoice } from "./fencer";

/** FENCED_CONDITION is the node condition that tells whether (and how) a failed node was fenced. */
export const FENCED_CONDITION = "Fenced";

/** FencingBackoff says how soon a failed fencing is tried again: doubling from `baseMs` up to `maxMs`. */
export interface FencingBackoff {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** FencingOutcome is what one step did to a node. */
export type FencingOutcome = "fencing" | "fenced" | "retry-later" | "waiting";

/**
 * NodeFencing moves nodes that stopped beating through fencing: NOT_READY → FENCING (with a Fenced
 * condition saying it has begun), then, once its fencer says it is fenced, FENCING → FAILED. A
 * failed fencing leaves the node FENCING with the reason in its condition and is tried again with
 * a doubling backoff. Nothing here restarts a VM: that waits for FAILED.
 */
export class NodeFencing {
  private readonly retries = new Map<string, { attempts: number; nextAt: number }>();

  constructor(
    private readonly deps: ServiceDeps,
    private readonly fencers: FencerChoice,
    private readonly backoff: FencingBackoff,
  ) {}

  /** begin moves a NOT_READY node to FENCING. */
  async begin(node: Node): Promise<Node> {
    const now = this.deps.clock.now().toISOString();
    const method = this.fencers.fencerFor(node).method;
    return readModifyWrite(this.deps.repos.nodes, node.id, (n) => {
      assertTransition(NODE_MACHINE, n.status.phase, "FENCING");
      return {
        ...n,
        status: {
          ...n.status,
          phase: "FENCING",
          message: `fencing (${method}): ${n.status.message || "its heartbeats stopped"}`,
          conditions: withCondition(
            n.status.conditions,
            {
              type: FENCED_CONDITION,
              status: "False",
              reason: "FencingStarted",
              message: `fencing with ${method} before its VMs restart elsewhere`,
            },
            now,
          ),
        },
      };
    });
  }

  /** step tries to fence a FENCING node when its backoff allows, and records the outcome. */
  async step(node: Node): Promise<FencingOutcome> {
    const nowMs = this.deps.clock.now().getTime();
    const retry = this.retries.get(node.id);
    if (retry && retry.nextAt > nowMs) return "waiting";
    const fencer = this.fencers.fencerFor(node);
    const result = await fencer.fence(node);
    const now = this.deps.clock.now().toISOString();
    if (result.outcome === "fenced") {
      this.retries.delete(node.id);
      await markFenced(this.deps, node.id, "FencedBy" + pascal(fencer.method), result.message, now);
      return "fenced";
    }
    const attempts = (retry?.attempts ?? 0) + 1;
    const delay = Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** (attempts - 1));
    this.retries.set(node.id, { attempts, nextAt: nowMs + delay });
    const message = `${result.reason} (attempt ${attempts}; next in ${Math.round(delay / 1000)} s)`;
    const before = conditionOf(node.status.conditions, FENCED_CONDITION);
    if (before?.message !== message)
      await readModifyWrite(this.deps.repos.nodes, node.id, (n) =>
        n.status.phase !== "FENCING"
          ? n
          : {
              ...n,
              status: {
                ...n.status,
                conditions: withCondition(
                  n.status.conditions,
                  { type: FENCED_CONDITION, status: "False", reason: "FencingFailed", message },
                  now,
                ),
              },
            },
      );
    this.deps.logger.warn(
      { node: node.name, attempts, retryInMs: delay, reason: result.reason },
      "fencing failed",
    );
    return "retry-later";
  }

  /** attemptsOf says how often fencing a node has failed so far (0 when it never did). */
  attemptsOf(nodeId: string): number {
    return this.retries.get(nodeId)?.attempts ?? 0;
  }

  /** forget drops what is known of a node's fencing (it left FENCING). */
  forget(nodeId: string): void {
    this.retries.delete(nodeId);
  }
}

function pascal(method: string): string {
  return method
    .split(/[^A-Za-z0-9]+/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
}

/**
 * markFenced moves a NOT_READY or FENCING node to FAILED with a Fenced=True condition: from now on
 * HA may restart its VMs elsewhere.
 */
export async function markFenced(
  deps: Pick<ServiceDeps, "repos">,
  nodeId: string,
  reason: string,
  message: string,
  now: string,
): Promise<Node> {
  return readModifyWrite(deps.repos.nodes, nodeId, (n) => {
    assertTransition(NODE_MACHINE, n.status.phase, "FAILED");
    return {
      ...n,
      status: {
        ...n.status,
        phase: "FAILED",
        message: `failed and fenced: ${message}`,
        conditions: withCondition(
          n.status.conditions,
          { type: FENCED_CONDITION, status: "True", reason, message },
          now,
        ),
      },
    };
  });
}
