import type { ListFilter, Node, NodeLiveness, NodePhase } from "@limiquantix/domain";
import type { Logger } from "pino";
import { systemContext } from "../context/call-context";
import { eachItem, type Listable } from "../shared/each-item";
import type { NodeService } from "../compute/node-service";
import type { ResourceCache } from "../events/resource-cache";
import type { ServiceDeps } from "../shared/service-deps";
import type { Controller } from "./controller";

/** NodeHealthOptions say how often to look and how many missed heartbeat intervals make a node NOT_READY. */
export interface NodeHealthOptions {
  readonly checkIntervalMs: number;
  readonly failureThreshold: number;
  /**
   * Where the beats between stored heartbeats are recorded, and how often a READY node's heartbeat
   * is stored at the least: while the record cannot be read, a node counts as silent only once its
   * stored heartbeat is older than that interval plus the usual window.
   */
  readonly liveness?: NodeLiveness;
  readonly statusWriteIntervalMs?: number;
  /** Where nodes are read from (this replica's copy, as of every committed write); the repository without it. */
  readonly reads?: Pick<ResourceCache, "nodes">;
}

/**
 * NodeHealthController marks a READY node NOT_READY when it has not been heard from (a stored
 * heartbeat or a beat in the liveness record) for `failureThreshold` check intervals, so the
 * scheduler stops placing VMs there. (Restarting its VMs elsewhere is the HA controller's decision,
 * not this one's.)
 *
 * A controller that has just started, or whose process stalled (a sweep due long ago), has not been
 * listening: beats that arrived meanwhile may still be queued. So nodes count as heard from when it
 * started listening again, and none is marked before a whole window has passed since.
 */
export class NodeHealthController implements Controller {
  readonly name = "node-health";
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<void> = Promise.resolve();
  /** Nodes count as heard from at this time at the least (ms): when this controller began listening. */
  private listeningSince: number | undefined;
  private lastTickAt: number | undefined;
  private sweeping = false;
  private livenessDown = false;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly nodes: NodeService,
    private readonly options: NodeHealthOptions,
    private readonly logger: Logger,
  ) {}

  async start(signal: AbortSignal): Promise<void> {
    this.listeningSince = this.deps.clock.now().getTime();
    this.lastTickAt = this.listeningSince;
    this.timer = setInterval(() => {
      if (!signal.aborted) this.tick();
    }, this.options.checkIntervalMs);
    this.timer.unref();
  }

  /** tick notices a stalled process (a timer due long ago), then sweeps unless a sweep still runs. */
  private tick(): void {
    const nowMs = this.deps.clock.now().getTime();
    if (this.lastTickAt !== undefined && nowMs - this.lastTickAt > 2 * this.options.checkIntervalMs) {
      // Stalled (or asleep) for several intervals: beats may wait unread in the sockets.
      this.logger.warn(
        { stalledMs: nowMs - this.lastTickAt - this.options.checkIntervalMs },
        "node health check ran late: counting every node as heard from now",
      );
      this.listeningSince = nowMs;
    }
    this.lastTickAt = nowMs;
    if (this.sweeping) return;
    this.sweeping = true;
    this.busy = this.sweep().then(
      () => {
        this.sweeping = false;
      },
      (e: unknown) => {
        this.sweeping = false;
        this.logger.warn({ err: e }, "node health sweep failed");
      },
    );
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.busy;
  }

  /** sweep checks every READY node's last beat once, and returns how many it marked NOT_READY. */
  async sweep(): Promise<number> {
    const nowMs = this.deps.clock.now().getTime();
    const window = this.options.checkIntervalMs * this.options.failureThreshold;
    const beats = await this.readBeats();
    // Heartbeats are all stored when there is no liveness record; only while it cannot be read
    // are stored ones up to a status write interval older than the last beat.
    const slack = beats || !this.options.liveness ? 0 : (this.options.statusWriteIntervalMs ?? 0);
    const deadline = nowMs - window - slack;
    let marked = 0;
    const reads = this.options.reads;
    // Read every check interval: from the copy it costs no query at 10,000 nodes but the log head.
    const source: Listable<Node, ListFilter<NodePhase>> = reads
      ? { list: (filter, page) => reads.nodes(filter, page) }
      : this.deps.repos.nodes;
    for await (const n of eachItem(source, { states: ["READY"] })) {
      const stored = n.status.lastHeartbeatAt ? Date.parse(n.status.lastHeartbeatAt) : 0;
      const heard = Math.max(stored, beats?.get(n.id) ?? 0);
      if (Math.max(heard, this.listeningSince ?? 0) >= deadline) continue;
      const since = heard > 0 ? new Date(heard).toISOString() : "registration";
      await this.nodes.setPhase(systemContext(this.name), n.id, "NOT_READY", `no heartbeat since ${since}`);
      this.logger.warn({ node: n.name, lastHeardAt: since }, "node missed its heartbeats: NOT_READY");
      marked++;
    }
    return marked;
  }

  /** readBeats reads the liveness record, or undefined while it cannot be read. */
  private async readBeats(): Promise<ReadonlyMap<string, number> | undefined> {
    if (!this.options.liveness) return undefined;
    try {
      const beats = await this.options.liveness.lastBeats();
      if (this.livenessDown) this.logger.info("node beats can be read again");
      this.livenessDown = false;
      return beats;
    } catch (e) {
      if (!this.livenessDown)
        this.logger.warn(
          { err: e },
          "node beats cannot be read: judging nodes by their stored heartbeats, with the status write interval as slack",
        );
      this.livenessDown = true;
      return undefined;
    }
  }
}
