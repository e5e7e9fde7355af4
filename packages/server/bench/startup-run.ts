// One measured start of the server, in a process of its own so its memory is the server's alone:
// starts the server with the configuration in LQX_STARTUP_CONFIG (JSON), waits until /ready
// answers 200 with the controllers leading, prints one JSON line (times and memory), and stops.
// Run by startup.bench.ts; LQX_STARTUP_SRC points at another checkout's packages/server/src to
// time an older version against the same data.
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { pino } from "pino";

const src = process.env.LQX_STARTUP_SRC
  ? pathToFileURL(`${process.env.LQX_STARTUP_SRC.replace(/\/$/, "")}/`).href
  : new URL("../src/", import.meta.url).href;

async function main(): Promise<void> {
  const settings = JSON.parse(process.env.LQX_STARTUP_CONFIG ?? "{}") as Record<string, unknown>;
  const { ConfigSchema } = (await import(`${src}config/schema.ts`)) as typeof import("../src/config/schema");
  const { startServer } = (await import(`${src}runtime/server.ts`)) as typeof import("../src/runtime/server");
  const config = ConfigSchema.parse(settings);
  const importedMs = performance.now();
  const started = performance.now();
  const server = await startServer(config, { logger: pino({ level: "silent" }), version: "bench" });
  const returnedMs = performance.now() - started;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const res = await fetch(`${server.url}/ready`);
    const body = (await res.json()) as { components?: Record<string, { message?: string }> };
    if (res.status === 200 && body.components?.controllers?.message?.startsWith("leading")) break;
    if (Date.now() > deadline) throw new Error(`not ready within 120 s: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const readyMs = performance.now() - started;
  const mem = process.memoryUsage();
  const out = {
    importMs: Math.round(importedMs),
    startServerMs: Math.round(returnedMs),
    readyMs: Math.round(readyMs),
    rssMib: Math.round(mem.rss / 2 ** 20),
    heapUsedMib: Math.round(mem.heapUsed / 2 ** 20),
    maxRssMib: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  await server.stop();
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`start-up run failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
