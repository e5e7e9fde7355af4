import type { Cluster, Node } from "@limiquantix/domain";
import type { Logger } from "pino";
import type { Controller } from "../controllers/controller";
import type { ChangeRelay } from "../events/change-relay";
import { allItems } from "../shared/each-item";
import type { ServiceDeps } from "../shared/service-deps";
import type { IsolationCheck } from "./isolation-check";
import type { FencingOutcome, NodeFencing } from "./node-fencing";
import type { FailoverReport, VmFailover } from "./vm-failover";

/** HaControllerOptions say whether HA runs and how often it looks. */
export interface HaControllerOptions {
  readonly enabled: boolean;
  readonly intervalMs: number;
  /** Asks a node that stopped beating whether its agent still answers before it is fenced; without it every such node is fenced. */
  readonly isolation?: Pick<IsolationCheck, "answers" | "note">;
}

/** HaPassReport is what one HA pass did. */
export interface HaPassReport {
  /** Nodes moved from NOT_READY to FENCING. */
  readonly fencing: readonly string[];
  /** NOT_READY nodes left alone because their agent still answers. */
  readonly reachable: readonly string[];
  /** Nodes fenced (now FAILED). */
  readonly fenced: readonly string[];
  /** Nodes whose fencing failed this pass (they stay FENCING and are tried again later). */
  readonly fenceFailed: readonly string[];
  readonly failover: FailoverReport;
}

const EMPTY: FailoverReport = { restarted: [], pending: [], stopped: [] };

/**
 * HaController runs on the leader: each pass fences the nodes that stopped beating (NOT_READY →
 * FENCING → FAILED, through each node's fencer) and restarts the protected VMs of FAILED nodes
 * elsewhere, leaving those no node takes pending until capacity returns. It looks every interval,
 * and at once when a node becomes READY or is added (capacity came back). Nodes of a cluster whose
 * HA is disabled are left alone.
 */
export class HaController implements Controller {
  readonly name = "ha";
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<unknown> = Promise.resolve();
  private unfollow: (() => void) | undefined;
  private again = false;
  /** The phase each node had in the last change seen, so a heartbeat is told from a phase change. */
  private readonly phases = new Map<string, string>();

  constructor(
    private readonly deps: ServiceDeps,
    private readonly fencing: NodeFencing,
    private readonly failover: VmFailover,
    private readonly options: HaControllerOptions,
    private readonly logger: Logger,
    private readonly relay?: Pick<ChangeRelay, "subscribe">,
  ) {}

  async start(signal: AbortSignal): Promise<void> {
    if (!this.options.enabled) return;
    const kick = () => {
      if (signal.aborted) return;
      this.busy = this.busy.then(() =>
        this.pass().then(
          () => undefined,
          (e: unknown) => this.logger.warn({ err: e }, "HA pass failed; trying again next interval"),
        ),
      );
    };
    this.timer = setInterval(kick, this.options.intervalMs);
    this.timer.unref();
    this.unfollow = this.relay?.subscribe({
      change: (entry) => {
        if (entry.kind !== "Node") return;
        const phase = (entry.object as Node | undefined)?.status?.phase;
        // Only a node's arrival or a change of phase matters; heartbeats (a READY node written
        // again every few seconds) must not start a pass each.
        const before = this.phases.get(entry.id);
        if (entry.type === "DELETED") this.phases.delete(entry.id);
        else if (phase) this.phases.set(entry.id, phase);
        const changed = entry.type === "ADDED" || (phase !== undefined && phase !== before);
        if (changed && (entry.type === "ADDED" || phase === "READY" || phase === "NOT_READY")) {
          if (this.again) return;
          this.again = true;
          setTimeout(() => {
            this.again = false;
            kick();
          }, 50).unref();
        }
      },
    });
  }

  async stop(): Promise<void> {
    this.unfollow?.();
    if (this.timer) clearInterval(this.timer);
    await this.busy;
  }

  /** pass runs one round: fence what stopped beating, fail over what is fenced. */
  async pass(): Promise<HaPassReport> {
    const clusters = new Map((await allItems(this.deps.repos.clusters, {})).map((c: Cluster) => [c.id, c]));
    const haOn = (n: Node) => !n.clusterId || clusters.get(n.clusterId)?.spec.ha.enabled !== false;
    const nodes = (
      await allItems(this.deps.repos.nodes, { states: ["NOT_READY", "FENCING", "FAILED"] })
    ).filter(haOn);
    // Nodes are fenced side by side, so a pass waits for its slowest BMC, not for the sum of them,
    // and a BMC that does not answer does not hold back the fencing of the others.
    const settled = await Promise.all(
      nodes.map(async (node) => {
        let n = node;
        if (n.status.phase === "NOT_READY" && (await this.options.isolation?.answers(n))) {
          n = await this.options.isolation!.note(n);
          this.logger.warn(
            { node: n.name },
            "node stopped beating but its agent answers: not fencing it while it does",
          );
          return { n, began: false, outcome: undefined, reachable: true };
        }
        const began = n.status.phase === "NOT_READY";
        if (began) {
          n = await this.fencing.begin(n);
          this.logger.warn(
            { node: n.name },
            "node stopped beating: fencing it before its VMs restart elsewhere",
          );
        }
        let outcome: FencingOutcome | undefined;
        if (n.status.phase === "FENCING") {
          outcome = await this.fencing.step(n);
          if (outcome === "fenced") n = await this.deps.repos.nodes.get(n.id);
        } else this.fencing.forget(n.id);
        return { n, began, outcome, reachable: false };
      }),
    );
    const fencing = settled.filter((r) => r.began).map((r) => r.n.id);
    const reachable = settled.filter((r) => r.reachable).map((r) => r.n.id);
    const fenced = settled.filter((r) => r.outcome === "fenced").map((r) => r.n.id);
    const fenceFailed = settled.filter((r) => r.outcome === "retry-later").map((r) => r.n.id);
    const failed: Node[] = [];
    for (const { n } of settled)
      if (n.status.phase === "FAILED" && (await this.deps.repos.vms.count({ nodeId: n.id })) > 0)
        failed.push(n);
    const byCluster = new Map<string | undefined, Node[]>();
    for (const n of failed) byCluster.set(n.clusterId, [...(byCluster.get(n.clusterId) ?? []), n]);
    const reports: FailoverReport[] = [];
    for (const [clusterId, group] of byCluster) reports.push(await this.failover.run(group, clusterId));
    return {
      fencing,
      reachable,
      fenced,
      fenceFailed,
      failover: reports.reduce(
        (a, r) => ({
          restarted: [...a.restarted, ...r.restarted],
          pending: [...a.pending, ...r.pending],
          stopped: [...a.stopped, ...r.stopped],
        }),
        EMPTY,
      ),
    };
  }
}
