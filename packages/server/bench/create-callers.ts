// The create bench's callers, in a process of their own (forked by bench/create.bench.ts), so the
// server's process spends its CPU on the server alone: the bench reports the server's CPU per
// create and the callers' separately. Asked over IPC to run a number of creates spread over
// concurrent callers; answers with what `drive` measured (its CPU figure is the callers').
import { pathToFileURL } from "node:url";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { compute } from "@limiquantix/api";
import { withBearer } from "../src/testing/signed-in";
import { drive, type Phase } from "./drive";

/** CallersRequest asks the callers' process to create `total` VMs named `<prefix>-<i>` from `callers` concurrent callers, or to exit. */
export type CallersRequest =
  | { readonly type: "run"; readonly prefix: string; readonly total: number; readonly callers: number }
  | { readonly type: "stop" };

/** CallersReply is what one run measured, or why it failed. */
export type CallersReply =
  | { readonly type: "done"; readonly phase: Phase }
  | { readonly type: "failed"; readonly error: string };

/** CALLERS_ENV carries the server's URL and an access token to the child, as JSON. */
export const CALLERS_ENV = "LQX_BENCH_CALLERS_TARGET";

async function main(): Promise<void> {
  const target = JSON.parse(process.env[CALLERS_ENV] ?? "{}") as { url?: string; token?: string };
  if (!target.url || !target.token) throw new Error(`${CALLERS_ENV} must carry url and token`);
  const client = createClient(
    compute.VMService,
    createGrpcTransport({ baseUrl: target.url, interceptors: [withBearer(target.token)] }),
  );
  const reply = (m: CallersReply) => process.send?.(m);
  process.on("message", (m: CallersRequest) => {
    if (m.type === "stop") process.exit(0);
    drive(m.total, m.callers, (i) =>
      client.createVM({
        projectId: "default",
        name: `${m.prefix}-${i}`,
        spec: { vcpus: 1, memoryMib: 512n },
      }),
    ).then(
      (phase) => reply({ type: "done", phase }),
      (e: unknown) => reply({ type: "failed", error: e instanceof Error ? e.message : String(e) }),
    );
  });
  process.on("disconnect", () => process.exit(0));
}

// Imported by the bench for its protocol; run only as the forked process.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  main().catch((e: unknown) => {
    process.stderr.write(`create callers failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
