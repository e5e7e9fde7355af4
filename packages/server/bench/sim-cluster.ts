// A server in embedded mode (PGlite in a temporary directory) with simulated nodes beside it, signed
// in as the admin over gRPC, for the cluster benches (ha, drs).
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { type Client, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { compute, drs, sim } from "@limiquantix/api";
import { makeTempDir, type TempDir } from "@limiquantix/testkit";
import { destination, pino } from "pino";
import { type Config, ConfigSchema, type ConfigInput } from "../src/config/schema";
import { deepMerge } from "../src/config/load";
import { type RunningServer, startServer } from "../src/runtime/server";
import { loginAs, withBearer } from "../src/testing/signed-in";

/** SimCluster is a running server with simulated nodes and the API clients the benches call it with. */
export interface SimCluster {
  readonly server: RunningServer;
  readonly config: Config;
  readonly vms: Client<typeof compute.VMService>;
  readonly nodes: Client<typeof compute.NodeService>;
  readonly clusters: Client<typeof compute.ClusterService>;
  readonly drs: Client<typeof drs.DRSService>;
  readonly simulation: Client<typeof sim.SimulationService>;
  /** nodeIds maps each simulated hostname (`sim-1` …) to its node id. */
  readonly nodeIds: ReadonlyMap<string, string>;
  /** hostOf maps a node id back to its simulated hostname. */
  readonly hostOf: ReadonlyMap<string, string>;
  /** Seconds from the start until the server led and every simulated node was READY. */
  readonly startupSec: number;
  stop(): Promise<void>;
}

/**
 * GOAWAY_RACE is the error connect-node's HTTP/2 session manager raises with no listener left when
 * a peer closes an idle connection (GOAWAY, no open streams) and a new call reconnects before the
 * socket has closed (connect-es issue 1768): the server's agent pool meets it when simulated agents
 * crash or stop. Left alone it ends the process; the bench counts it instead and reports the count.
 */
const GOAWAY_RACE = "received GOAWAY without any open streams";
const goawayRaces = { running: 0, stopping: 0 };
let stopping = 0;
let guarded = false;

/** goawayRacesSwallowed says how often the bench kept the process alive through that error, while the cells ran and while their servers stopped. */
export const goawayRacesSwallowed = () => ({ ...goawayRaces });

function guardGoawayRace(): void {
  if (guarded) return;
  guarded = true;
  process.on("uncaughtException", (e) => {
    if (e instanceof Error && e.message.includes(GOAWAY_RACE)) {
      if (stopping > 0) goawayRaces.stopping++;
      else goawayRaces.running++;
      return;
    }
    process.stderr.write(`uncaught: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}

/**
 * startSimCluster starts the server in embedded mode with `nodes` simulated nodes, settings as
 * given on top of the bench's (silent logs, loopback), waits until it leads its controllers and
 * every node is READY, and signs in as the admin with the bootstrap password.
 */
export async function startSimCluster(nodes: number, settings: ConfigInput): Promise<SimCluster> {
  guardGoawayRace();
  const started = performance.now();
  const dir: TempDir = await makeTempDir("cluster-bench");
  const password = randomBytes(18).toString("base64url");
  process.env.LQX_BOOTSTRAP_ADMIN_PASSWORD = password;
  const base: ConfigInput = {
    mode: "embedded",
    dataDir: dir.path,
    server: { host: "127.0.0.1", port: 0, shutdownTimeoutSec: 5 },
    logging: { level: "silent", format: "json" },
    simulation: { nodes },
  };
  const config = ConfigSchema.parse(
    deepMerge(base as Record<string, unknown>, settings as Record<string, unknown>),
  );
  const level = process.env.LQX_BENCH_LOG_LEVEL ?? "silent";
  const logger = pino({ level }, destination(2));
  let server: RunningServer | undefined;
  try {
    server = await startServer(config, { logger, version: "bench" });
    await waitForLeading(server.url);
    const token = await loginAs(server.url, "admin", password);
    const transport = createGrpcTransport({ baseUrl: server.url, interceptors: [withBearer(token)] });
    const nodeIds = server.sims?.nodeIds ?? new Map<string, string>();
    const running = server;
    const cluster: SimCluster = {
      server,
      config,
      vms: createClient(compute.VMService, transport),
      nodes: createClient(compute.NodeService, transport),
      clusters: createClient(compute.ClusterService, transport),
      drs: createClient(drs.DRSService, transport),
      simulation: createClient(sim.SimulationService, transport),
      nodeIds,
      hostOf: new Map([...nodeIds].map(([host, id]) => [id, host])),
      startupSec: 0,
      async stop() {
        stopping++;
        try {
          await running.stop();
          await dir.remove();
          // Errors of the sessions the stop closed arrive a little later.
          await sleep(500);
        } finally {
          stopping--;
        }
      },
    };
    await waitForReadyNodes(cluster, nodes);
    return { ...cluster, startupSec: Math.round((performance.now() - started) / 100) / 10 };
  } catch (e) {
    await server?.stop();
    await dir.remove();
    throw e;
  }
}

async function waitForLeading(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const body = (await (await fetch(`${url}/ready`)).json()) as {
      components?: Record<string, { message?: string }>;
    };
    if (body.components?.controllers?.message?.startsWith("leading")) return;
    if (Date.now() > deadline)
      throw new Error(`the server did not lead within 60 s: ${JSON.stringify(body)}`);
    await sleep(100);
  }
}

async function waitForReadyNodes(cluster: SimCluster, count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { nodes } = await cluster.nodes.listNodes({ pageSize: 1000 });
    const ready = nodes.filter((n) => n.status?.phase === compute.NodePhase.READY).length;
    if (ready >= count) return;
    if (Date.now() > deadline) throw new Error(`only ${ready} of ${count} simulated nodes became READY`);
    await sleep(200);
  }
}

/** sleep waits `ms` milliseconds. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** VmShape is what the benches create: size, HA, and the desired power state. */
export interface VmShape {
  readonly name: string;
  readonly vcpus: number;
  readonly memoryMib: number;
  readonly ha: boolean;
}

/**
 * createRunningVms creates the VMs through CreateVM (`concurrency` callers), each wanted RUNNING,
 * in the default project and cluster, and returns their ids in the order given.
 */
export async function createRunningVms(
  cluster: SimCluster,
  shapes: readonly VmShape[],
  concurrency = 8,
): Promise<string[]> {
  const ids: string[] = new Array(shapes.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < shapes.length; i = next++) {
        const s = shapes[i]!;
        const { vm } = await cluster.vms.createVM({
          projectId: cluster.server.defaults.projectId,
          clusterId: cluster.server.defaults.clusterId,
          name: s.name,
          spec: {
            vcpus: s.vcpus,
            memoryMib: BigInt(s.memoryMib),
            ha: { enabled: s.ha, restartPriority: compute.RestartPriority.MEDIUM },
            desiredPowerState: compute.DesiredPowerState.RUNNING,
          },
        });
        if (!vm) throw new Error(`createVM ${s.name} returned no VM`);
        ids[i] = vm.id;
      }
    }),
  );
  return ids;
}

/** listAllVms pages through ListVMs. */
export async function listAllVms(cluster: SimCluster): Promise<compute.VirtualMachine[]> {
  const out: compute.VirtualMachine[] = [];
  let pageToken = "";
  do {
    const res = await cluster.vms.listVMs({ pageSize: 1000, pageToken });
    out.push(...res.vms);
    pageToken = res.nextPageToken;
  } while (pageToken !== "");
  return out;
}

/** waitForRunning waits until every listed VM is RUNNING (by ListVMs), polling once a second. */
export async function waitForRunning(
  cluster: SimCluster,
  ids: readonly string[],
  seconds: number,
): Promise<void> {
  const wanted = new Set(ids);
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const all = await listAllVms(cluster);
    const left = all.filter((v) => wanted.has(v.id) && v.status?.powerState !== compute.PowerState.RUNNING);
    if (left.length === 0) return;
    if (Date.now() > deadline)
      throw new Error(
        `${left.length} VMs were not RUNNING after ${seconds} s (first: ${left[0]?.name} ${left[0]?.status?.message})`,
      );
    await sleep(1000);
  }
}
