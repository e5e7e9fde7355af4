import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** RpcLabel names the labels of the RPC metrics. */
export type RpcLabel = "service" | "method" | "code";

/** ServerMetrics are the Prometheus metrics the server exports on /metrics. */
export interface ServerMetrics {
  readonly registry: Registry;
  /** Calls by service (`limiquantix.compute.v1.VMService`), method (`GetVM`) and code as the wire names it (`ok`, `not_found`). */
  readonly rpcRequests: Counter<RpcLabel>;
  readonly rpcDuration: Histogram<RpcLabel>;
  readonly schedulerDuration: Histogram<"outcome">;
  readonly reconcilerQueueDepth: Gauge;
  readonly reconcileTotal: Counter<"outcome">;
  readonly dbPool: Gauge<"state">;
  /** Entries removed from the change log by compaction. */
  readonly changeLogCompacted: Counter;
  /** The change log's revisions: `head` (latest), `oldest` (still held) and `relayed` (reached this replica's listeners). */
  readonly changeLogRevision: Gauge<"which">;
  /** Alert notifications by notifier (`log`, `webhook`), event (`fired`, `resolved`) and outcome (`delivered`, `failed`). */
  readonly alertNotifications: Counter<"notifier" | "event" | "outcome">;
  /** Delivery attempts of alert notifications that failed and were tried again, by notifier. */
  readonly alertNotificationRetries: Counter<"notifier">;
  /** Passes of the alert evaluation controller, by outcome (`ok`, `failed`). */
  readonly alertEvaluations: Counter<"outcome">;
  /** 1 while this replica leads the election and runs the controllers, else 0. */
  readonly controllersLeading: Gauge;
  /** Times this replica's leadership fence was refused (a newer leader was elected while it still acted). */
  readonly controllersFenced: Counter;
}

/** ChangeLogFigures reads the change log's revisions at each scrape. */
export type ChangeLogFigures = () => Promise<{ head: number; oldest: number; relayed: number }>;

/**
 * createMetrics registers the server's metrics in a fresh registry, beside Node's default process
 * metrics under their standard names (`process_cpu_seconds_total`, `nodejs_heap_size_used_bytes` …)
 * so stock dashboards and alerts find them; poolStats feeds the database pool gauge at each scrape.
 */
export function createMetrics(
  poolStats?: () => { total: number; idle: number; waiting: number },
  changeLog?: () => ChangeLogFigures | undefined,
): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    rpcRequests: new Counter({
      name: "limiquantix_rpc_requests_total",
      help: "RPC calls handled, by service, method and result code",
      labelNames: ["service", "method", "code"],
      registers: [registry],
    }),
    rpcDuration: new Histogram({
      name: "limiquantix_rpc_duration_seconds",
      help: "RPC call latency, by service, method and result code",
      labelNames: ["service", "method", "code"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    schedulerDuration: new Histogram({
      name: "limiquantix_scheduler_placement_seconds",
      help: "Time to place a VM, by outcome (placed or unplaceable)",
      labelNames: ["outcome"],
      buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers: [registry],
    }),
    reconcilerQueueDepth: new Gauge({
      name: "limiquantix_reconciler_queue_depth",
      help: "VMs waiting for the reconciler",
      registers: [registry],
    }),
    reconcileTotal: new Counter({
      name: "limiquantix_reconcile_total",
      help: "Reconcile attempts by outcome",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    dbPool: new Gauge({
      name: "limiquantix_db_pool_connections",
      help: "Database pool connections by state (total, idle, waiting); absent without a pool (memory, PGlite)",
      labelNames: ["state"],
      registers: [registry],
      collect() {
        if (!poolStats) return;
        const s = poolStats();
        this.set({ state: "total" }, s.total);
        this.set({ state: "idle" }, s.idle);
        this.set({ state: "waiting" }, s.waiting);
      },
    }),
    changeLogCompacted: new Counter({
      name: "limiquantix_change_log_compacted_entries_total",
      help: "Change log entries removed by compaction (retention by age and count)",
      registers: [registry],
    }),
    changeLogRevision: new Gauge({
      name: "limiquantix_change_log_revision",
      help: "Change log revisions: head (latest committed), oldest (still held), relayed (reached this replica's listeners)",
      labelNames: ["which"],
      registers: [registry],
      async collect() {
        const figures = changeLog?.();
        if (!figures) return;
        const f = await figures().catch(() => undefined);
        if (!f) return;
        this.set({ which: "head" }, f.head);
        this.set({ which: "oldest" }, f.oldest);
        this.set({ which: "relayed" }, f.relayed);
      },
    }),
    alertNotifications: new Counter({
      name: "limiquantix_alert_notifications_total",
      help: "Alert notifications by notifier, event (fired, resolved) and outcome (delivered, failed after every attempt)",
      labelNames: ["notifier", "event", "outcome"],
      registers: [registry],
    }),
    alertNotificationRetries: new Counter({
      name: "limiquantix_alert_notification_retries_total",
      help: "Alert notification delivery attempts that failed and were tried again, by notifier",
      labelNames: ["notifier"],
      registers: [registry],
    }),
    alertEvaluations: new Counter({
      name: "limiquantix_alert_evaluations_total",
      help: "Alert rule evaluation passes by outcome (ok, failed)",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    controllersLeading: new Gauge({
      name: "limiquantix_controllers_leading",
      help: "1 while this replica leads the controller election and runs the controllers, else 0",
      registers: [registry],
    }),
    controllersFenced: new Counter({
      name: "limiquantix_controllers_fenced_total",
      help: "Times this replica's leadership fence was refused because a newer leader was elected; it stepped down each time",
      registers: [registry],
    }),
  };
}
