// One server replica of the watch bench, in a process of its own (started by replica-process.ts):
// startServer with the configuration it is given, then answers the bench's questions over IPC —
// its memory, and its CPU time, event-loop delay and relay lag while the writes run.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { destination, pino } from "pino";
import { ConfigSchema, type ConfigInput } from "../src/config/schema";
import { type RunningServer, startServer } from "../src/runtime/server";
import { LatencyHistogram, wallMs } from "./latency-histogram";
import { REPLICA_CONFIG_ENV, type ReplicaReply, type ReplicaRequest } from "./replica-process";

const send = (m: ReplicaReply) => process.send?.(m);
const gc = (globalThis as { gc?: () => void }).gc;
const ms = (ns: number) => Math.round(ns / 1e4) / 100;

async function main(): Promise<void> {
  const { config, version } = JSON.parse(process.env[REPLICA_CONFIG_ENV] ?? "{}") as {
    config: ConfigInput;
    version: string;
  };
  const server: RunningServer = await startServer(ConfigSchema.parse(config), {
    // LQX_BENCH_LOG_LEVEL=warn (or error, info …) shows the replica's log on stderr, to see why a stream failed.
    logger: pino({ level: process.env.LQX_BENCH_LOG_LEVEL || "silent" }, destination(2)),
    version,
  });

  // Subscribed before any watch stream, so this listener sees each change before the streams do.
  let fromSeq = Number.POSITIVE_INFINITY;
  let relayLag = new LatencyHistogram();
  server.services.relay.subscribe({
    change(entry) {
      if (entry.kind !== "VirtualMachine") return;
      const labels = entry.object.labels;
      const seq = Number(labels["bench-seq"]);
      if (seq >= fromSeq) relayLag.record(wallMs() - Number(labels["bench-sent"]));
    },
  });

  const loop = monitorEventLoopDelay({ resolution: 10 });
  let cpuAtBegin = process.cpuUsage();
  let begunAt = 0;
  process.on("message", (m: ReplicaRequest) => {
    void (async () => {
      switch (m.type) {
        case "memory": {
          gc?.();
          const { rss, heapTotal, heapUsed, external } = process.memoryUsage();
          send({ id: m.id, type: "memory", memory: { rss, heapTotal, heapUsed, external } });
          return;
        }
        case "begin":
          fromSeq = m.fromSeq;
          relayLag = new LatencyHistogram();
          loop.reset();
          loop.enable();
          cpuAtBegin = process.cpuUsage();
          begunAt = performance.now();
          send({ id: m.id, type: "begin" });
          return;
        case "end": {
          loop.disable();
          const cpu = process.cpuUsage(cpuAtBegin);
          send({
            id: m.id,
            type: "end",
            phase: {
              seconds: Math.round(performance.now() - begunAt) / 1000,
              cpuSeconds: Math.round((cpu.user + cpu.system) / 1e4) / 100,
              loopDelay: {
                p50Ms: ms(loop.percentile(50)),
                p99Ms: ms(loop.percentile(99)),
                maxMs: ms(loop.max),
              },
              relayLag: relayLag.summary(),
            },
          });
          fromSeq = Number.POSITIVE_INFINITY;
          return;
        }
        case "stop":
          await server.stop();
          process.send?.({ id: m.id, type: "stop" } satisfies ReplicaReply, () => process.exit(0));
      }
    })();
  });
  // A bench that died leaves no replica behind.
  process.on("disconnect", () => process.exit(1));
  send({ type: "started", url: server.url });
}

main().catch((e: unknown) => {
  send({ type: "failed", error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  process.exit(1);
});
