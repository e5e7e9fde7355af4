import type { Node } from "@limiquantix/domain";
import type { AgentDirectory } from "../compute/agent-directory";
import { conditionOf, withCondition } from "../shared/conditions";
import { readModifyWrite } from "../shared/read-modify-write";
import type { ServiceDeps } from "../shared/service-deps";

/** ISOLATION_CONDITION tells that a node's beats stopped while its agent still answers the leader. */
export const ISOLATION_CONDITION = "HeartbeatsLost";

/**
 * IsolationCheck asks a node that stopped beating whether it is really gone before HA fences it:
 * the leader calls the node's agent directly. An agent that answers runs on a live host whose
 * beats do not arrive (a broken path from the node to the control plane, an overloaded replica),
 * and its VMs run: it is not fenced, and none of its VMs restarts elsewhere, while it answers. One
 * that does not answer within the timeout (a dead agent, a host off or cut off) is fenced.
 */
export class IsolationCheck {
  constructor(
    private readonly deps: Pick<ServiceDeps, "repos" | "clock">,
    private readonly agents: Pick<AgentDirectory, "forNode">,
    private readonly timeoutMs: number,
  ) {}

  /** answers says whether the node's agent answered a health check within the timeout. */
  async answers(node: Node): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), this.timeoutMs);
    });
    try {
      const agent = await this.agents.forNode(node);
      return await Promise.race([agent.healthCheck().then(() => true as const), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  /** note records on the node, once, that its beats stopped while its agent answers. */
  async note(node: Node): Promise<Node> {
    if (conditionOf(node.status.conditions, ISOLATION_CONDITION)?.status === "True") return node;
    const now = this.deps.clock.now().toISOString();
    return readModifyWrite(this.deps.repos.nodes, node.id, (n) =>
      n.status.phase !== "NOT_READY"
        ? n
        : {
            ...n,
            status: {
              ...n.status,
              conditions: withCondition(
                n.status.conditions,
                {
                  type: ISOLATION_CONDITION,
                  status: "True",
                  reason: "AgentAnswers",
                  message:
                    "its heartbeats stopped arriving, but its agent answers the control plane: it is not fenced, and its VMs are not restarted elsewhere, while it does",
                },
                now,
              ),
            },
          },
    );
  }
}
