// The writer of the watch bench: UpdateVM label changes at a steady rate through one replica, each
// carrying its number and its send timestamp in the labels the watchers read.
import { type Client, Code, ConnectError } from "@connectrpc/connect";
import type { compute } from "@limiquantix/api";
import { LatencyHistogram, type LatencySummary, wallMs } from "./latency-histogram";

/** WriteRun is what one run of the writer did. */
export interface WriteRun {
  readonly planned: number;
  /** Writes never sent: their turn came after the run's time was up (the server could not keep up). */
  readonly notSent: number;
  readonly acked: number;
  readonly failed: number;
  readonly errors: Record<string, number>;
  /** From the first send to the last answer. */
  readonly seconds: number;
  readonly achievedPerSec: number;
  /** UpdateVM round trips (send to answer), in ms. */
  readonly latency: LatencySummary;
  /** acks[i] is 1 when write fromSeq + i was acknowledged. */
  readonly acks: Uint8Array;
}

/** WriteRunOptions say which writes to make, how fast, on which VMs. */
export interface WriteRunOptions {
  readonly vmIds: readonly string[];
  readonly fromSeq: number;
  readonly count: number;
  readonly perSecond: number;
}

/**
 * writeLabels sends up to `count` UpdateVM calls at `perSecond`, write i to VM i mod vms. A VM has
 * at most one write in flight (a second would only conflict on its version), so a write whose VM
 * is still busy waits for it; one whose turn comes after count ÷ perSecond seconds is not sent. So
 * a run lasts about as long as planned, and the achieved rate shows when the server cannot keep up.
 */
export async function writeLabels(
  client: Client<typeof compute.VMService>,
  o: WriteRunOptions,
): Promise<WriteRun> {
  const acks = new Uint8Array(o.count);
  const latency = new LatencyHistogram();
  const errors: Record<string, number> = {};
  const busy: Promise<void>[] = o.vmIds.map(() => Promise.resolve());
  let acked = 0;
  let failed = 0;
  let notSent = 0;
  let firstSent = Number.NaN;
  let lastAnswer = Number.NaN;

  const started = performance.now();
  const deadline = started + (o.count / o.perSecond) * 1000;
  const write = async (i: number, vm: number) => {
    if (performance.now() > deadline) {
      notSent++;
      return;
    }
    const sent = wallMs();
    if (Number.isNaN(firstSent)) firstSent = sent;
    try {
      await client.updateVM({
        id: o.vmIds[vm]!,
        labels: { app: "watch-bench", "bench-seq": String(o.fromSeq + i), "bench-sent": sent.toFixed(3) },
      });
      acks[i] = 1;
      acked++;
    } catch (e) {
      failed++;
      const code = e instanceof ConnectError ? Code[e.code] : String(e);
      errors[code] = (errors[code] ?? 0) + 1;
    }
    lastAnswer = wallMs();
    latency.record(lastAnswer - sent);
  };

  let issued = 0;
  while (issued < o.count) {
    const due = Math.min(o.count, Math.floor(((performance.now() - started) / 1000) * o.perSecond) + 1);
    for (; issued < due; issued++) {
      const i = issued;
      const vm = i % o.vmIds.length;
      busy[vm] = busy[vm]!.then(() => write(i, vm));
    }
    if (issued < o.count) {
      const nextAt = started + (issued / o.perSecond) * 1000;
      await new Promise((r) => setTimeout(r, Math.max(0, nextAt - performance.now())));
    }
  }
  await Promise.all(busy);
  const seconds = Math.max(0.001, (lastAnswer - firstSent) / 1000);
  return {
    planned: o.count,
    notSent,
    acked,
    failed,
    errors,
    seconds: Math.round(seconds * 100) / 100,
    achievedPerSec: Math.round((acked / seconds) * 10) / 10,
    latency: latency.summary(),
    acks,
  };
}
