// What enforcing the API's buf.validate rules costs per call. Two measures: protovalidate alone on
// three requests of growing size (GetVM, ListVMs with filters, CreateVM with a full spec), warm and
// on first use (when the rules of a message type are compiled); and a unary call through the whole
// edge (Connect over HTTP/1.1 on loopback, one caller) with and without the validation interceptor,
// so the share of a call's time shows. Prints a table, or with --json one object.
//
// Run: npx tsx --conditions=limiquantix-source bench/validate.bench.ts [--json]
// LQX_BENCH_ITERATIONS sets the validations per round (default 20,000), LQX_BENCH_CALLS the calls
// per round through the edge (default 3,000).
import { arch, cpus, platform } from "node:os";
import { performance } from "node:perf_hooks";
import { create, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { createValidator } from "@bufbuild/protovalidate";
import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { compute } from "@limiquantix/api";
import { startOnePortServer } from "../src/http/one-port-server";
import { createConnectHandler } from "../src/rpc/connect-handler";

const json = process.argv.includes("--json");
const envInt = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer (got ${raw})`);
  return n;
};
const ITERATIONS = envInt("LQX_BENCH_ITERATIONS", 20_000);
const CALLS = envInt("LQX_BENCH_CALLS", 3_000);
const ROUNDS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const round2 = (n: number) => Math.round(n * 100) / 100;

interface Sample<D extends DescMessage> {
  readonly name: string;
  readonly schema: D;
  readonly message: MessageShape<D>;
}

function sample<D extends DescMessage>(name: string, schema: D, message: MessageShape<D>): Sample<D> {
  return { name, schema, message };
}

const samples = [
  sample("GetVM", compute.GetVMRequestSchema, create(compute.GetVMRequestSchema, { id: "vm-000042" })),
  sample(
    "ListVMs (filters)",
    compute.ListVMsRequestSchema,
    create(compute.ListVMsRequestSchema, {
      pageSize: 100,
      pageToken: "eyJzIjoiVmlydHVhbE1hY2hpbmUiLCJrIjoidm0tMDAwMSIsImkiOiJ2bS0wMDAxIn0",
      labelSelector: "env=prod,tier in (web,db)",
      states: [compute.PowerState.RUNNING],
      projectId: "default",
    }),
  ),
  sample(
    "CreateVM (full spec)",
    compute.CreateVMRequestSchema,
    create(compute.CreateVMRequestSchema, {
      name: "web-01",
      projectId: "default",
      labels: { app: "web", env: "prod", team: "platform" },
      spec: {
        description: "front end",
        vcpus: 4,
        memoryMib: 8192n,
        disks: [
          { name: "root", volumeId: "vol-1" },
          { name: "data", volumeId: "vol-2" },
        ],
        nics: [
          { name: "eth0", networkId: "net-1" },
          { name: "eth1", networkId: "net-2" },
        ],
        desiredPowerState: compute.DesiredPowerState.RUNNING,
      },
    }),
  ),
];

function measureValidator(s: Sample<DescMessage>) {
  const validator = createValidator();
  const firstStart = performance.now();
  const first = validator.validate(s.schema, s.message);
  const firstUs = (performance.now() - firstStart) * 1000;
  if (first.kind !== "valid") throw new Error(`${s.name} sample is not valid: ${first.error.message}`);
  const perRound: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = performance.now();
    for (let i = 0; i < ITERATIONS; i++) validator.validate(s.schema, s.message);
    perRound.push(((performance.now() - start) * 1000) / ITERATIONS);
  }
  return { request: s.name, firstCallUs: round2(firstUs), perCallUs: round2(median(perRound)) };
}

async function startEdge(validate: boolean) {
  const handler = createConnectHandler({
    routes: (router) =>
      router.service(compute.VMService, { getVM: (req) => ({ vm: { id: req.id, name: "web" } }) }),
    interceptors: [],
    validateRequests: validate,
  });
  const server = await startOnePortServer({ host: "127.0.0.1", port: 0, handler });
  const transport = createConnectTransport({
    baseUrl: `http://127.0.0.1:${server.port}`,
    httpVersion: "1.1",
  });
  return { server, vms: createClient(compute.VMService, transport) };
}

type Edge = Awaited<ReturnType<typeof startEdge>>;

async function callRound(edge: Edge, calls: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < calls; i++) await edge.vms.getVM({ id: "vm-000042" });
  return ((performance.now() - start) * 1000) / calls;
}

const validator = samples.map(measureValidator);
// Both set-ups run side by side and take turns, so drift in the machine's load hits both alike.
const without = await startEdge(false);
const withValidation = await startEdge(true);
await callRound(without, 500);
await callRound(withValidation, 500);
const withoutRounds: number[] = [];
const withRounds: number[] = [];
for (let r = 0; r < ROUNDS * 2; r++) {
  withoutRounds.push(await callRound(without, CALLS / 2));
  withRounds.push(await callRound(withValidation, CALLS / 2));
}
await without.server.stop(100);
await withValidation.server.stop(100);
const edge = {
  request: "GetVM",
  withoutValidationUs: round2(median(withoutRounds)),
  withValidationUs: round2(median(withRounds)),
  differenceUs: round2(median(withRounds) - median(withoutRounds)),
};
const machine = {
  node: process.version,
  platform: `${platform()} ${arch()}`,
  cpu: cpus()[0]?.model ?? "unknown",
  cores: cpus().length,
};

if (json) {
  console.log(JSON.stringify({ machine, iterations: ITERATIONS, calls: CALLS, validator, edge }));
} else {
  console.log(
    `protovalidate, ${ITERATIONS} validations per round, median of ${ROUNDS} rounds (${machine.node}, ${machine.cpu})`,
  );
  console.log("request               | first call (µs) | per call (µs)");
  for (const v of validator)
    console.log(
      `${v.request.padEnd(21)} | ${String(v.firstCallUs).padStart(15)} | ${String(v.perCallUs).padStart(13)}`,
    );
  console.log("");
  console.log(`unary GetVM through the edge (Connect, HTTP/1.1, loopback, one caller), µs per call:`);
  console.log(
    `  without validation ${edge.withoutValidationUs}, with validation ${edge.withValidationUs}, difference ${edge.differenceUs}`,
  );
}
