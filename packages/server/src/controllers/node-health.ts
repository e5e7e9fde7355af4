import type { Logger } from "pino";
import { systemContext } from "../context/call-context";
import { eachItem } from "../shared/each-item";
import type { NodeService } from "../compute/node-service";
import type { ServiceDeps } from "../shared/service-deps";
import type { Controller } from "./controller";

/** NodeHealthOptions say how often to look and how many missed heartbeat intervals make a node NOT_READY. */
export interface NodeHealthOptions {
  readonly checkIntervalMs: number;
  readonly failureThreshold: number;
}

/**
 * NodeHealthController marks a READY node NOT_READY when it has not sent a heartbeat for
 * `failureThreshold` check intervals, so the scheduler stops placing VMs there. (Restarting its
 * VMs elsewhere is the HA controller's decision, not this one's.)
 */
export class NodeHealthController implements Controller {
  readonly name = "node-health";
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: ServiceDeps,
    private readonly nodes: NodeService,
    private readonly options: NodeHealthOptions,
    private readonly logger: Logger,
  ) {}

  async start(signal: AbortSignal): Promise<void> {
    this.timer = setInterval(() => {
      if (!signal.aborted)
        this.busy = this.sweep().then(
          () => undefined,
          (e: unknown) => this.logger.warn({ err: e }, "node health sweep failed"),
        );
    }, this.options.checkIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.busy;
  }

  /** sweep checks every READY node's last heartbeat once. */
  async sweep(): Promise<number> {
    const deadline =
      this.deps.clock.now().getTime() - this.options.checkIntervalMs * this.options.failureThreshold;
    let marked = 0;
    for await (const n of eachItem(this.deps.repos.nodes, { states: ["READY"] })) {
      const last = n.status.lastHeartbeatAt ? Date.parse(n.status.lastHeartbeatAt) : 0;
      if (last < deadline) {
        await this.nodes.setPhase(
          systemContext(this.name),
          n.id,
          "NOT_READY",
          `no heartbeat since ${n.status.lastHeartbeatAt ?? "registration"}`,
        );
        this.logger.warn(
          { node: n.name, lastHeartbeatAt: n.status.lastHeartbeatAt },
          "node missed its heartbeats: NOT_READY",
        );
        marked++;
      }
    }
    return marked;
  }
}
