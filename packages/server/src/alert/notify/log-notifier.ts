import type { Logger } from "pino";
import type { AlertEvent, AlertNotification, Notifier } from "./alert-notification";

const LEVEL = { INFO: "info", WARNING: "warn", CRITICAL: "error" } as const;

/** LogNotifier writes every alert event to the server's log, at a level that follows the alert's severity. */
export class LogNotifier implements Notifier {
  readonly name = "log";
  readonly events: ReadonlySet<AlertEvent> = new Set(["fired", "acknowledged", "resolved"]);

  constructor(private readonly logger: Logger) {}

  async notify(n: AlertNotification): Promise<void> {
    const a = n.alert;
    const stamp =
      n.event === "resolved" ? a.resolved : n.event === "acknowledged" ? a.acknowledged : undefined;
    const fields = {
      alert: a.id,
      severity: a.severity,
      source: a.source,
      rule: a.ruleId,
      ...(stamp ? { by: stamp.by, ...(stamp.comment ? { comment: stamp.comment } : {}) } : {}),
    };
    const level = n.event === "fired" ? LEVEL[a.severity] : "info";
    this.logger[level](fields, `alert ${n.event}: ${a.title}`);
  }
}
