import { toJson } from "@bufbuild/protobuf";
import { alert as alertApi } from "@limiquantix/api";
import type { Alert, ChangeLogEntry } from "@limiquantix/domain";
import { alertToProto } from "../convert/alert";

/** AlertEvent is what happened to an alert that notifiers tell: it fired, was acknowledged, or resolved. */
export type AlertEvent = "fired" | "acknowledged" | "resolved";

/** AlertNotification is one alert event to tell, with the alert as it is after it. */
export interface AlertNotification {
  readonly event: AlertEvent;
  readonly alert: Alert;
  /** When the change was committed. */
  readonly at: string;
}

/** Notifier tells people or systems about alert events. */
export interface Notifier {
  /** name labels the notifier's metrics and logs (`log`, `webhook`). */
  readonly name: string;
  /** events are those the notifier tells; others are not given to it. */
  readonly events: ReadonlySet<AlertEvent>;
  /** notify tells one event; it resolves once delivered and rejects once it has given up. */
  notify(n: AlertNotification, signal: AbortSignal): Promise<void>;
}

/**
 * notificationOf reads an alert event off a committed change: a created alert fired; one whose
 * state became ACKNOWLEDGED or RESOLVED was acknowledged or resolved (a resolved alert is never
 * written again, so that change is told once). Other changes tell nothing.
 */
export function notificationOf(entry: ChangeLogEntry): AlertNotification | undefined {
  if (entry.kind !== "Alert" || entry.type === "DELETED") return undefined;
  const alert = entry.object;
  const event: AlertEvent | undefined =
    entry.type === "ADDED"
      ? "fired"
      : alert.state === "RESOLVED"
        ? "resolved"
        : alert.state === "ACKNOWLEDGED"
          ? "acknowledged"
          : undefined;
  return event ? { event, alert, at: entry.at } : undefined;
}

/** WebhookPayload is the JSON body webhooks receive. */
export interface WebhookPayload {
  /** `alert.fired` or `alert.resolved`. */
  readonly type: string;
  readonly time: string;
  /** The alert in the API's JSON form (as ListAlerts gives it over Connect JSON). */
  readonly alert: unknown;
}

/** webhookPayloadOf renders a notification as the body webhooks receive. */
export function webhookPayloadOf(n: AlertNotification): WebhookPayload {
  return {
    type: `alert.${n.event}`,
    time: n.at,
    alert: toJson(alertApi.AlertSchema, alertToProto(n.alert)),
  };
}
