import type { Cluster, Clock } from "@limiquantix/domain";
import type { Logger } from "pino";
import type { Controller } from "../controllers/controller";
import type { ChangeRelay } from "../events/change-relay";
import { allItems } from "../shared/each-item";
import type { ServiceDeps } from "../shared/service-deps";
import type { DrsPassRunner } from "./drs-pass-runner";

/** DrsControllerOptions tune how often the controller looks at the clock. */
export interface DrsControllerOptions {
  /** The longest the controller sleeps before it looks whether a pass is due (default 1000 ms). */
  readonly pollMs?: number;
}

/** passDue says whether a cluster needs a pass now: asked for by RunNow, never run, or its interval over since the last. */
export function passDue(cluster: Cluster, now: number): boolean {
  const drs = cluster.status?.drs;
  if (drs && drs.runRequests > drs.runsServed) return true;
  if (!cluster.spec.drs.enabled) return false;
  if (drs?.lastRunAt === undefined) return true;
  return now >= Date.parse(drs.lastRunAt) + cluster.spec.drs.intervalSec * 1000;
}

/** dueAt is when a cluster's next scheduled pass falls due (epoch ms), or undefined with DRS off. */
function dueAt(cluster: Cluster, now: number): number | undefined {
  const drs = cluster.status?.drs;
  if (drs && drs.runRequests > drs.runsServed) return now;
  if (!cluster.spec.drs.enabled) return undefined;
  if (drs?.lastRunAt === undefined) return now;
  return Date.parse(drs.lastRunAt) + cluster.spec.drs.intervalSec * 1000;
}

/**
 * DrsController runs DRS on the leader: a pass over every cluster with DRS enabled each interval
 * (the cluster's `spec.drs.intervalSec`), and at once when RunNow asks for one through any replica
 * (a request recorded on the cluster, seen here through the change log). Passes run one at a time.
 */
export class DrsController implements Controller {
  readonly name = "drs";
  private readonly clusters = new Map<string, Cluster>();
  private loop: Promise<void> | undefined;
  private stopping: AbortController | undefined;
  private unfollow: (() => void) | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly relay: Pick<ChangeRelay, "subscribe">,
    private readonly runner: Pick<DrsPassRunner, "run">,
    private readonly logger: Logger,
    private readonly options: DrsControllerOptions = {},
  ) {}

  private get clock(): Clock {
    return this.deps.clock;
  }

  async start(signal: AbortSignal): Promise<void> {
    const stopping = new AbortController();
    this.stopping = stopping;
    signal.addEventListener("abort", () => stopping.abort(), { once: true });
    this.unfollow = this.relay.subscribe({
      change: (entry) => {
        if (entry.kind !== "Cluster") return;
        if (entry.type === "DELETED") this.clusters.delete(entry.id);
        else this.accept(entry.object);
        this.wake?.();
      },
      reset: async () => {
        await this.reload();
        this.wake?.();
      },
    });
    await this.reload();
    this.loop = this.run(stopping.signal);
  }

  async stop(): Promise<void> {
    this.stopping?.abort();
    this.unfollow?.();
    this.wake?.();
    await this.loop;
  }

  /** runDue runs a pass over every cluster that needs one now, one after the other, and says how many ran. */
  async runDue(): Promise<number> {
    const now = this.clock.now().getTime();
    let ran = 0;
    for (const cluster of [...this.clusters.values()]) {
      if (this.stopping?.signal.aborted) break;
      if (!passDue(cluster, now)) continue;
      try {
        const report = await this.runner.run(cluster.id);
        this.logger.info(
          {
            cluster: cluster.name,
            proposed: report.proposed.length,
            started: report.started.length,
            imbalance: report.imbalanceBefore,
          },
          "DRS pass",
        );
      } catch (e) {
        this.logger.warn({ err: e, cluster: cluster.name }, "DRS pass failed");
      }
      // What the pass recorded, before the change log brings it: the next round must not run it again.
      const fresh = await this.deps.repos.clusters.find(cluster.id).catch(() => undefined);
      if (fresh) this.accept(fresh);
      if (fresh && passDue(fresh, now) && fresh.status?.drs?.lastRunAt === cluster.status?.drs?.lastRunAt)
        this.postpone(fresh, now); // the pass could not even record itself: wait an interval rather than spin
      ran++;
    }
    return ran;
  }

  /** accept keeps a cluster as read, unless what is kept already is newer. */
  private accept(cluster: Cluster): void {
    const kept = this.clusters.get(cluster.id);
    if (kept && kept.resourceVersion > cluster.resourceVersion) return;
    this.clusters.set(cluster.id, cluster);
  }

  private async reload(): Promise<void> {
    const all = await allItems(this.deps.repos.clusters, {});
    this.clusters.clear();
    for (const c of all) this.clusters.set(c.id, c);
  }

  /** postpone holds a cluster whose pass failed without a record until its interval passes. */
  private postpone(cluster: Cluster, now: number): void {
    const drs = cluster.status?.drs ?? { runRequests: 0, runsServed: 0 };
    this.clusters.set(cluster.id, {
      ...cluster,
      status: {
        ...cluster.status,
        drs: { ...drs, runsServed: drs.runRequests, lastRunAt: new Date(now).toISOString() },
      },
    });
  }

  private async run(signal: AbortSignal): Promise<void> {
    const pollMs = this.options.pollMs ?? 1000;
    while (!signal.aborted) {
      await this.runDue().catch((e: unknown) => this.logger.warn({ err: e }, "DRS controller round failed"));
      const now = this.clock.now().getTime();
      let next = Number.POSITIVE_INFINITY;
      for (const c of this.clusters.values()) next = Math.min(next, dueAt(c, now) ?? next);
      await this.sleep(Math.max(0, Math.min(pollMs, next - now)), signal);
    }
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref?.();
      this.wake = done;
    });
  }
}
