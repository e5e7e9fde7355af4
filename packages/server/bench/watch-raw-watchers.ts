// Watchers of the watch bench without Connect: WatchVMs over gRPC on cleartext HTTP/2 with
// node:http2 alone. Each stream sends the request as one gRPC envelope, parses the envelopes it
// receives and decodes each message (fromBinary), as any client must, and reads the trailers'
// grpc-status. It measures the same things as WatcherPool (watch-watchers.ts) at a fraction of the
// client's CPU, so the bench process takes less of the machine from the server it measures.
import http2 from "node:http2";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { common, compute } from "@limiquantix/api";
import { LatencyHistogram, wallMs } from "./latency-histogram";
import type { WatcherPoolOptions } from "./watch-watchers";

const PATH = "/limiquantix.compute.v1.VMService/WatchVMs";

/** RawWatcher is one stream and what it received. */
interface RawWatcher {
  readonly replica: number;
  received: Uint8Array;
  count: number;
  duplicates: number;
  warm: number;
  cutOff?: string;
}

/** RawWatcherPool opens, follows and closes the watchers of one run; the same methods as WatcherPool. */
export class RawWatcherPool {
  private readonly watchers: RawWatcher[] = [];
  private readonly sessions: http2.ClientHttp2Session[] = [];
  private readonly streams: http2.ClientHttp2Stream[] = [];
  private fromSeq = Number.POSITIVE_INFINITY;
  private measured = 0;
  private closing = false;
  readonly latency: LatencyHistogram[];

  constructor(private readonly options: WatcherPoolOptions) {
    this.latency = options.replicas.map(() => new LatencyHistogram());
  }

  /** open opens every watcher and resolves once each has received its initial list and BOOKMARK. */
  async open(): Promise<void> {
    const { replicas, sessionsPerReplica, watchers, openConcurrency, projectId } = this.options;
    for (const url of replicas)
      for (let s = 0; s < sessionsPerReplica; s++) {
        const session = http2.connect(url);
        session.on("error", () => undefined);
        this.sessions.push(session);
      }
    const request = toBinary(
      compute.WatchVMsRequestSchema,
      create(compute.WatchVMsRequestSchema, { projectId }),
    );
    const body = Buffer.alloc(5 + request.length);
    body.writeUInt32BE(request.length, 1);
    body.set(request, 5);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(openConcurrency, watchers) }, async () => {
        for (let i = next++; i < watchers; i = next++) {
          const replica = i % replicas.length;
          const session =
            this.sessions[
              replica * sessionsPerReplica + (Math.floor(i / replicas.length) % sessionsPerReplica)
            ]!;
          const watcher: RawWatcher = {
            replica,
            received: new Uint8Array(0),
            count: 0,
            duplicates: 0,
            warm: 0,
          };
          this.watchers.push(watcher);
          await this.follow(session, watcher, body);
        }
      }),
    );
  }

  /** follow opens one stream; it resolves once the stream's BOOKMARK arrived, or the stream ended. */
  private follow(session: http2.ClientHttp2Session, w: RawWatcher, body: Buffer): Promise<void> {
    return new Promise<void>((ready) => {
      const stream = session.request({
        ":method": "POST",
        ":path": PATH,
        "content-type": "application/grpc+proto",
        te: "trailers",
        authorization: `Bearer ${this.options.token}`,
      });
      this.streams.push(stream);
      const cut = (why: string) => {
        if (!this.closing && w.cutOff === undefined) w.cutOff = why;
        ready();
      };
      stream.on("error", (e: Error) => cut(e.message));
      stream.on("trailers", (trailers) => {
        const status = Number(trailers["grpc-status"] ?? 0);
        cut(
          status === 0
            ? "stream ended"
            : `${Code[status] ?? status}: ${String(trailers["grpc-message"] ?? "")}`,
        );
      });
      stream.on("close", () => cut("stream ended"));
      stream.end(body);
      let pending: Buffer = Buffer.alloc(0);
      stream.on("data", (chunk: Buffer) => {
        pending = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
        while (pending.length >= 5) {
          const length = pending.readUInt32BE(1);
          if (pending.length < 5 + length) break;
          const res = fromBinary(compute.WatchVMsResponseSchema, pending.subarray(5, 5 + length));
          pending = pending.subarray(5 + length);
          if (res.type === common.EventType.BOOKMARK) ready();
          else if (res.type === common.EventType.UPDATED) this.note(w, res.vm?.labels ?? {});
        }
      });
    });
  }

  private note(w: RawWatcher, labels: Record<string, string>): void {
    const seq = Number(labels["bench-seq"]) - this.fromSeq;
    if (seq >= 0 && seq < this.measured) {
      if (w.received[seq] === 1) w.duplicates++;
      else {
        w.received[seq] = 1;
        w.count++;
        this.latency[w.replica]!.record(wallMs() - Number(labels["bench-sent"]));
      }
    } else if (seq < 0) w.warm++;
  }

  /** measure starts counting the writes numbered fromSeq … fromSeq + count − 1; earlier ones are warm-up. */
  measure(fromSeq: number, count: number): void {
    for (const w of this.watchers) w.received = new Uint8Array(count);
    this.measured = count;
    this.fromSeq = fromSeq;
  }

  /** caughtUp says whether every watcher still streaming has received `writes` measured writes (or `warm` warm-up ones). */
  caughtUp(writes: number, warm = 0): boolean {
    return this.watchers.every((w) => w.cutOff !== undefined || (w.count >= writes && w.warm >= warm));
  }

  /** tally counts, over every watcher, the acknowledged writes (acked[i] = 1) it received and what it missed. */
  tally(acked: Uint8Array): {
    expected: number;
    received: number;
    duplicates: number;
    cutOff: Record<string, number>;
  } {
    let ackedCount = 0;
    for (let i = 0; i < this.measured; i++) ackedCount += acked[i]!;
    let received = 0;
    let duplicates = 0;
    const cutOff: Record<string, number> = {};
    for (const w of this.watchers) {
      for (let i = 0; i < this.measured; i++) received += w.received[i]! & acked[i]!;
      duplicates += w.duplicates;
      if (w.cutOff) cutOff[w.cutOff] = (cutOff[w.cutOff] ?? 0) + 1;
    }
    return { expected: ackedCount * this.watchers.length, received, duplicates, cutOff };
  }

  /** close ends every stream and session. */
  async close(): Promise<void> {
    this.closing = true;
    for (const s of this.streams) s.close(http2.constants.NGHTTP2_CANCEL);
    await Promise.all(
      this.sessions.map((s) => new Promise<void>((resolve) => (s.closed ? resolve() : s.close(resolve)))),
    );
  }
}
