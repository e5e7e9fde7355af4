// A dev-mode server in a process of its own, for heap.bench.ts: it starts, prints its URL and
// young-generation size as one JSON line, and serves until its parent closes standard input.
import { getHeapSpaceStatistics } from "node:v8";
import { pino } from "pino";
import { ConfigSchema } from "../src/config/schema";
import { startServer } from "../src/runtime/server";

const server = await startServer(
  ConfigSchema.parse({
    mode: "dev",
    server: { host: "127.0.0.1", port: 0 },
    simulation: { nodes: 0 },
    logging: { level: "silent" },
    ha: { checkIntervalSec: 3600 },
    reconciler: { resyncIntervalSec: 86_400 },
  }),
  { logger: pino({ level: "silent" }), version: "bench" },
);
const newSpace = getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
process.stdout.write(
  `${JSON.stringify({ url: server.url, newSpaceMib: (newSpace?.space_size ?? 0) / 2 ** 20 })}\n`,
);
process.stdin.resume();
process.stdin.on("end", () => void server.stop().then(() => process.exit(0)));
