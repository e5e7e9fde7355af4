// The watch bench's floors: the same watchers and writes as a replica's cell, served by a floor
// server (watch-floor-server.ts) that does nothing but stream, so a replica's figures can be read
// against what the framework alone costs on the same machine in the same run.
//   connect  connect-node server, the bench's own WatcherPool (Connect gRPC client) receiving;
//   http2    node:http2 server writing pre-enveloped bytes, RawWatcherPool (node:http2 alone, each
//            message decoded) receiving — no Connect on either side.
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { LatencyHistogram, LatencySummary } from "./latency-histogram";
import type { FloorFramework, FloorReply, FloorRequest } from "./watch-floor-server";
import { RawWatcherPool } from "./watch-raw-watchers";
import { WatcherPool } from "./watch-watchers";
import { sleep, waitUntil } from "./wait-until";

/** FloorOptions shape a floor run like the replica cells of the same bench run. */
export interface FloorOptions {
  readonly watchers: number;
  readonly sessions: number;
  readonly writesPerSec: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly drainSeconds: number;
  readonly openConcurrency: number;
}

/** FloorFigures are what one floor run measured. */
export interface FloorFigures {
  readonly framework: FloorFramework;
  readonly delivery: LatencySummary;
  readonly expected: number;
  readonly received: number;
  /** Events delivered per second over the run (from the first write to the last receipt). */
  readonly eventsPerSec: number;
  readonly drainSeconds: number | undefined;
  readonly serverCpuMicrosPerEvent: number;
  readonly benchCpuMicrosPerEvent: number;
}

/** Watchers is what the floor needs of a watcher pool (WatcherPool or RawWatcherPool). */
interface Watchers {
  readonly latency: readonly LatencyHistogram[];
  open(): Promise<void>;
  measure(fromSeq: number, count: number): void;
  caughtUp(writes: number, warm?: number): boolean;
  tally(acked: Uint8Array): { expected: number; received: number };
  close(): Promise<void>;
}

/** FloorServer is a floor server's child process. */
interface FloorServer {
  readonly url: string;
  ask(request: FloorRequest): Promise<FloorReply>;
  stop(): Promise<void>;
}

async function startFloorServer(framework: FloorFramework): Promise<FloorServer> {
  const child: ChildProcess = fork(
    fileURLToPath(new URL("./watch-floor-server.ts", import.meta.url)),
    [framework],
    {
      execArgv: process.execArgv.filter((a) => !a.startsWith("--cpu-prof")),
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const replies: ((m: FloorReply) => void)[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    child.on("message", (m: FloorReply) => {
      if (m.type === "started") resolve(m.url);
      else replies.shift()?.(m);
    });
    void exited.then(() => reject(new Error(`the ${framework} floor server exited`)));
  });
  return {
    url,
    ask: (request) =>
      new Promise<FloorReply>((resolve) => {
        replies.push(resolve);
        child.send(request);
      }),
    async stop() {
      child.send({ type: "stop" } satisfies FloorRequest);
      await exited;
    },
  };
}

/** runFloor measures one floor: watchers opened, warmed up, then the measured writes received. */
export async function runFloor(framework: FloorFramework, options: FloorOptions): Promise<FloorFigures> {
  const server = await startFloorServer(framework);
  const shape = {
    replicas: [server.url],
    watchers: options.watchers,
    sessionsPerReplica: options.sessions,
    projectId: "watch",
    token: "floor",
    openConcurrency: options.openConcurrency,
  };
  const pool: Watchers = framework === "http2" ? new RawWatcherPool(shape) : new WatcherPool(shape);
  try {
    await pool.open();
    await sleep(500);
    const warm = options.warmupSeconds * options.writesPerSec;
    if (warm > 0) {
      await server.ask({ type: "send", fromSeq: 0, count: warm, perSecond: options.writesPerSec });
      await waitUntil(() => pool.caughtUp(0, warm), options.drainSeconds);
    }
    const count = options.seconds * options.writesPerSec;
    pool.measure(warm, count);
    const cpu = process.cpuUsage();
    const started = performance.now();
    await server.ask({ type: "send", fromSeq: warm, count, perSecond: options.writesPerSec });
    const drainSeconds = await waitUntil(() => pool.caughtUp(count), options.drainSeconds);
    const seconds = (performance.now() - started) / 1000;
    const bench = process.cpuUsage(cpu);
    const ended = await server.ask({ type: "end" });
    const tally = pool.tally(new Uint8Array(count).fill(1));
    const delivery = pool.latency[0]!.summary();
    const per = (cpuSeconds: number) =>
      delivery.count > 0 ? Math.round((cpuSeconds * 1e7) / delivery.count) / 10 : 0;
    return {
      framework,
      delivery,
      expected: tally.expected,
      received: tally.received,
      eventsPerSec: Math.round(tally.received / seconds),
      drainSeconds,
      serverCpuMicrosPerEvent: per(ended.type === "ended" ? ended.cpuSeconds : 0),
      benchCpuMicrosPerEvent: per((bench.user + bench.system) / 1e6),
    };
  } finally {
    await pool.close();
    await server.stop();
  }
}
