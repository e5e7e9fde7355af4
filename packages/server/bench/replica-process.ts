// The watch bench runs each replica in a process of its own (bench/watch-replica.ts), so its RSS,
// CPU time and event-loop delay are the server's alone, not the watchers'. This is the parent's
// side: start a replica, ask it for figures, stop it.
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ConfigInput } from "../src/config/schema";
import type { LatencySummary } from "./latency-histogram";
import { heapFlags } from "../src/runtime/heap-flags";

/** ReplicaMemory is a replica's memory after a full garbage collection, in bytes. */
export interface ReplicaMemory {
  readonly rss: number;
  readonly heapTotal: number;
  readonly heapUsed: number;
  /** Memory of buffers and other objects outside the JavaScript heap. */
  readonly external: number;
}

/** ReplicaPhase is what a replica measured between `begin` and `end`. */
export interface ReplicaPhase {
  readonly seconds: number;
  /** CPU time (user + system) the replica used, in seconds. */
  readonly cpuSeconds: number;
  /** Event-loop delay of the replica, in ms. */
  readonly loopDelay: { readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number };
  /** From the writer's send timestamp to this replica's relay handing the change to its listeners (clocks of two processes). */
  readonly relayLag: LatencySummary;
}

/** ReplicaRequest is what the bench asks a replica. */
export type ReplicaRequest =
  | { readonly id: number; readonly type: "memory" }
  | { readonly id: number; readonly type: "begin"; readonly fromSeq: number }
  | { readonly id: number; readonly type: "end" }
  | { readonly id: number; readonly type: "stop" };

/** ReplicaReply is a replica's answer, or its announcement that it serves at `url`. */
export type ReplicaReply =
  | { readonly type: "started"; readonly url: string }
  | { readonly type: "failed"; readonly error: string }
  | { readonly id: number; readonly type: "memory"; readonly memory: ReplicaMemory }
  | { readonly id: number; readonly type: "begin" }
  | { readonly id: number; readonly type: "end"; readonly phase: ReplicaPhase }
  | { readonly id: number; readonly type: "stop" };

/** REPLICA_CONFIG_ENV carries the replica's configuration and version to the child, as JSON. */
export const REPLICA_CONFIG_ENV = "LQX_BENCH_REPLICA_CONFIG";

/** ReplicaProcess is a server replica running in a child process. */
export interface ReplicaProcess {
  readonly url: string;
  readonly pid: number;
  memory(): Promise<ReplicaMemory>;
  /** begin starts measuring CPU, loop delay and relay lag of the writes numbered `fromSeq` and up. */
  begin(fromSeq: number): Promise<void>;
  end(): Promise<ReplicaPhase>;
  /** stop stops the server and waits for the process to exit. */
  stop(): Promise<void>;
}

/** startReplica forks a replica with the given configuration and resolves once it serves. */
export async function startReplica(config: ConfigInput, version: string): Promise<ReplicaProcess> {
  const child: ChildProcess = fork(fileURLToPath(new URL("./watch-replica.ts", import.meta.url)), [], {
    // The parent's execArgv carries tsx's loader and the source condition; gc() makes RSS steadier.
    // LQX_BENCH_CPU_PROF=<dir> writes each replica's CPU profile there (open it in Chrome DevTools).
    // The replica runs with the binary's heap settings (LQX_SEMI_SPACE_MIB, as for limiquantix-server).
    execArgv: [
      ...process.execArgv,
      ...heapFlags(process.execArgv, process.env),
      "--expose-gc",
      ...(process.env.LQX_BENCH_CPU_PROF
        ? ["--cpu-prof", `--cpu-prof-dir=${process.env.LQX_BENCH_CPU_PROF}`]
        : []),
    ],
    env: { ...process.env, [REPLICA_CONFIG_ENV]: JSON.stringify({ config, version }) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const pending = new Map<number, (reply: ReplicaReply) => void>();
  let failure: Error | undefined;
  const url = await new Promise<string>((resolve, reject) => {
    child.on("message", (m: ReplicaReply) => {
      if (m.type === "started") resolve(m.url);
      else if (m.type === "failed") reject(new Error(`replica failed: ${m.error}`));
      else pending.get(m.id)?.(m);
    });
    void exited.then((code) => {
      failure = new Error(`replica process ${child.pid} exited with code ${code}`);
      reject(failure);
      for (const [id, settle] of pending) {
        pending.delete(id);
        settle({ type: "failed", error: failure.message });
      }
    });
  });
  let next = 0;
  const ask = <T extends ReplicaReply["type"]>(type: T, extra: object = {}) =>
    new Promise<Extract<ReplicaReply, { type: T }>>((resolve, reject) => {
      if (failure) return reject(failure);
      const id = ++next;
      pending.set(id, (reply) => {
        pending.delete(id);
        if (reply.type === "failed") reject(new Error(reply.error));
        else resolve(reply as Extract<ReplicaReply, { type: T }>);
      });
      child.send({ id, type, ...extra });
    });
  return {
    url,
    pid: child.pid ?? -1,
    memory: async () => (await ask("memory")).memory,
    begin: async (fromSeq) => {
      await ask("begin", { fromSeq });
    },
    end: async () => (await ask("end")).phase,
    stop: async () => {
      if (!failure) await ask("stop").catch(() => undefined);
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
