import type { ChangeLog } from "@limiquantix/domain";
import type { Logger } from "pino";
import type { Controller } from "../controllers/controller";
import type { ServerMetrics } from "../observability/metrics";

/** CompactionPolicy says how much of the change log to keep and how often to trim it. */
export interface CompactionPolicy {
  readonly retentionMs: number;
  readonly maxEntries: number;
  readonly intervalMs: number;
}

/**
 * ChangeLogCompactor trims the change log on the leader, by age and by count, so it holds what
 * watchers and replicas that fell behind may still need to resume (a day of a busy cluster by
 * default) and no more. A watcher asking for a revision older than what is left is told to list
 * again.
 */
export class ChangeLogCompactor implements Controller {
  readonly name = "change-log-compactor";
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<void> = Promise.resolve();

  constructor(
    private readonly log: ChangeLog,
    private readonly policy: CompactionPolicy,
    private readonly logger: Logger,
    private readonly metrics?: ServerMetrics,
  ) {}

  async start(signal: AbortSignal): Promise<void> {
    this.timer = setInterval(() => {
      if (!signal.aborted) this.busy = this.compactOnce().then(() => undefined);
    }, this.policy.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.busy;
  }

  /** compactOnce trims the log once and returns how many entries it removed (0 when the trim failed; it is logged). */
  async compactOnce(): Promise<number> {
    try {
      const removed = await this.log.compact({
        maxAgeMs: this.policy.retentionMs,
        maxEntries: this.policy.maxEntries,
      });
      if (removed > 0) {
        this.metrics?.changeLogCompacted.inc(removed);
        this.logger.debug({ removed }, "change log compacted");
      }
      return removed;
    } catch (e) {
      this.logger.warn({ err: e }, "change log compaction failed; will try again");
      return 0;
    }
  }
}
