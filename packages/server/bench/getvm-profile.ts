// A GetVM loop against a dev-mode server in this process, to profile the RPC path:
//   N=20000 node --cpu-prof --import tsx --conditions=limiquantix-source bench/getvm-profile.ts
// It prints calls per second and microseconds per call (client and server share the process).
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { compute } from "@limiquantix/api";
import { pino } from "pino";
import { ConfigSchema } from "../src/config/schema";
import { startServer } from "../src/runtime/server";
import { asAdmin } from "../src/testing/signed-in";

const server = await startServer(
  ConfigSchema.parse({
    mode: "dev",
    server: { port: 0 },
    simulation: { nodes: 0 },
    logging: { level: "silent" },
  }),
  {
    logger: pino({ level: "silent" }),
    version: "prof",
  },
);
// Signed in as the admin, so the profile includes checking the token of every call.
const t = createGrpcTransport({ baseUrl: server.url, interceptors: [await asAdmin(server)] });
const nodes = createClient(compute.NodeService, t);
await nodes.registerNode({
  name: "n",
  spec: {
    hostname: "n.lab",
    managementIp: "10.0.0.1",
    agentAddress: "127.0.0.1:1",
    cpu: { sockets: 1, coresPerSocket: 8, threadsPerCore: 1 },
    memoryMib: 65536n,
  },
});
const vms = createClient(compute.VMService, t);
const { vm } = await vms.createVM({ projectId: "default", name: "v", spec: { vcpus: 1, memoryMib: 512n } });
const N = Number(process.env.N ?? 20000);
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: 64 }, async () => {
    while (next++ < N) await vms.getVM({ id: vm!.id });
  }),
);
const s = (performance.now() - started) / 1000;
console.log(
  `${N} GetVM in ${s.toFixed(2)} s: ${(N / s).toFixed(0)}/s, ${((s * 1e6) / N).toFixed(0)} µs per call (client and server in one process)`,
);
await server.stop();
