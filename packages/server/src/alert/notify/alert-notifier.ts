import type { ChangeLogEntry } from "@limiquantix/domain";
import type { Logger } from "pino";
import type { Controller } from "../../controllers/controller";
import type { ChangeRelay } from "../../events/change-relay";
import type { ServerMetrics } from "../../observability/metrics";
import { type AlertNotification, type Notifier, notificationOf } from "./alert-notification";

/**
 * AlertNotifier tells the notifiers (the log, webhooks) of every alert that fires, is
 * acknowledged or resolves, through whichever replica it happened, by following the change log
 * while this replica leads, so each is told once. Deliveries run beside the relay, never holding
 * it up; stopping aborts those still retrying. Changes made while no replica leads (between one
 * leader stopping and the next starting) are not told.
 */
export class AlertNotifier implements Controller {
  readonly name = "alert-notifier";
  private unfollow: (() => void) | undefined;
  private abort = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly relay: Pick<ChangeRelay, "subscribe">,
    private readonly notifiers: readonly Notifier[],
    private readonly logger: Logger,
    private readonly metrics?: Pick<ServerMetrics, "alertNotifications">,
  ) {}

  async start(): Promise<void> {
    this.abort = new AbortController();
    this.unfollow = this.relay.subscribe({ change: (entry) => this.change(entry) });
  }

  async stop(): Promise<void> {
    this.unfollow?.();
    this.unfollow = undefined;
    this.abort.abort();
    await this.idle();
  }

  /** change hands the alert event a committed change tells, if any, to each notifier that tells such events. */
  change(entry: ChangeLogEntry): void {
    const n = notificationOf(entry);
    if (!n) return;
    for (const notifier of this.notifiers) if (notifier.events.has(n.event)) this.deliver(notifier, n);
  }

  /** idle resolves once every delivery under way has finished or given up. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private deliver(notifier: Notifier, n: AlertNotification): void {
    const labels = { notifier: notifier.name, event: n.event };
    const p = notifier
      .notify(n, this.abort.signal)
      .then(
        () => this.metrics?.alertNotifications.inc({ ...labels, outcome: "delivered" }),
        (e: unknown) => {
          this.metrics?.alertNotifications.inc({ ...labels, outcome: "failed" });
          this.logger.warn(
            { err: e, notifier: notifier.name, alert: n.alert.id, event: n.event },
            "alert notification failed",
          );
        },
      )
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }
}
