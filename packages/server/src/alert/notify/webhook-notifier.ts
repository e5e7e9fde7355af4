import { createHmac } from "node:crypto";
import { ExponentialBackoff, handleWhen, halfJitterGenerator, retry } from "cockatiel";
import type { Logger } from "pino";
import type { ServerMetrics } from "../../observability/metrics";
import {
  type AlertEvent,
  type AlertNotification,
  type Notifier,
  webhookPayloadOf,
} from "./alert-notification";

/** SIGNATURE_HEADER carries `sha256=<hex>`: the HMAC-SHA256 of the raw body under the webhook's secret. */
export const SIGNATURE_HEADER = "x-limiquantix-signature";
/** EVENT_HEADER carries the payload's type (`alert.fired`, `alert.resolved`). */
export const EVENT_HEADER = "x-limiquantix-event";
/** DELIVERY_HEADER identifies one notification, the same on each attempt, so a receiver can drop repeats. */
export const DELIVERY_HEADER = "x-limiquantix-delivery";

/** WebhookTarget is one configured endpoint (`alerts.webhooks[]`). */
export interface WebhookTarget {
  readonly url: string;
  readonly secret?: string | undefined;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
}

/** WebhookOptions tune the backoff between attempts and say where to count retries. */
export interface WebhookOptions {
  /** Delay before the first retry; each further one doubles it, with jitter (default 1000 ms). */
  readonly baseDelayMs?: number;
  /** Cap on one delay (default 30 s). */
  readonly maxDelayMs?: number;
  readonly metrics?: Pick<ServerMetrics, "alertNotificationRetries">;
  readonly logger?: Logger;
}

/** WebhookFailure is a delivery attempt that failed; retryable says whether another attempt may succeed. */
export class WebhookFailure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "WebhookFailure";
  }
}

/** signBody is the signature header's value for a body: `sha256=` and the hex HMAC-SHA256 of its bytes under the secret. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** redact keeps a URL's scheme, host and path for logs, dropping credentials and the query. */
function redact(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}

/**
 * WebhookNotifier POSTs the JSON of an alert to one endpoint when it fires and when it resolves.
 * With a secret, the body is signed (SIGNATURE_HEADER). Each attempt has the target's timeout; a
 * network error, a timeout, 408, 429 or a 5xx answer is tried again with exponential backoff up
 * to the target's attempts; any other answer but 2xx fails at once.
 */
export class WebhookNotifier implements Notifier {
  readonly name = "webhook";
  readonly events: ReadonlySet<AlertEvent> = new Set(["fired", "resolved"]);

  constructor(
    private readonly target: WebhookTarget,
    private readonly options: WebhookOptions = {},
  ) {}

  async notify(n: AlertNotification, signal: AbortSignal): Promise<void> {
    const body = JSON.stringify(webhookPayloadOf(n));
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "limiquantix-server",
      [EVENT_HEADER]: `alert.${n.event}`,
      [DELIVERY_HEADER]: `${n.alert.id}.${n.event}`,
      ...(this.target.secret ? { [SIGNATURE_HEADER]: signBody(this.target.secret, body) } : {}),
    };
    const policy = retry(
      handleWhen((e) => e instanceof WebhookFailure && e.retryable),
      {
        maxAttempts: this.target.maxAttempts - 1,
        backoff: new ExponentialBackoff({
          generator: halfJitterGenerator,
          initialDelay: this.options.baseDelayMs ?? 1000,
          maxDelay: this.options.maxDelayMs ?? 30_000,
        }),
      },
    );
    const retried = policy.onRetry((r) => {
      this.options.metrics?.alertNotificationRetries.inc({ notifier: this.name });
      this.options.logger?.debug(
        {
          url: redact(this.target.url),
          delayMs: Math.round(r.delay),
          err: "error" in r ? r.error : undefined,
        },
        "alert webhook attempt failed; trying again",
      );
    });
    try {
      await policy.execute(() => this.attempt(body, headers, signal), signal);
    } finally {
      retried.dispose();
    }
  }

  private async attempt(body: string, headers: Record<string, string>, signal: AbortSignal): Promise<void> {
    const timeout = AbortSignal.timeout(this.target.timeoutMs);
    let res: Response;
    try {
      res = await fetch(this.target.url, {
        method: "POST",
        headers,
        body,
        redirect: "error",
        signal: AbortSignal.any([signal, timeout]),
      });
    } catch (e) {
      if (signal.aborted) throw e;
      const why = timeout.aborted ? `no answer within ${this.target.timeoutMs} ms` : (e as Error).message;
      throw new WebhookFailure(`POST ${redact(this.target.url)} failed: ${why}`, true);
    }
    // The body is not read, but it must be consumed for the connection to be reused.
    await res.body?.cancel().catch(() => undefined);
    if (res.ok) return;
    const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
    throw new WebhookFailure(`POST ${redact(this.target.url)} answered ${res.status}`, retryable);
  }
}
