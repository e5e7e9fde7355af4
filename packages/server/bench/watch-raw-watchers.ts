// Watchers of the watch bench without Connect: WatchVMs over gRPC on cleartext HTTP/2 with
// node:http2 alone. Each stream sends the request as one gRPC envelope, parses the envelopes it
// receives and decodes each message (fromBinary), as any client must, and reads the trailers'
// grpc-status. It measures the same things as WatcherPool (watch-watchers.ts) at a fraction of the
// client's CPU, so the bench process takes less of the machine from the server it measures.
import http2 from "node:http2";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { common, compute } from "@limiquantix/api";
import { type Watcher, type WatcherPoolOptions, WatcherTally } from "./watch-watchers";

const PATH = "/limiquantix.compute.v1.VMService/WatchVMs";

/** RawWatcherPool opens, follows and closes the watchers of one run, as WatcherPool does. */
export class RawWatcherPool extends WatcherTally {
  private readonly sessions: http2.ClientHttp2Session[] = [];
  private readonly streams: http2.ClientHttp2Stream[] = [];
  private closing = false;

  constructor(private readonly options: WatcherPoolOptions) {
    super(options.replicas.length);
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
          await this.follow(session, this.watcher(replica), body);
        }
      }),
    );
  }

  /** follow opens one stream; it resolves once the stream's BOOKMARK arrived, or the stream ended. */
  private follow(session: http2.ClientHttp2Session, w: Watcher, body: Buffer): Promise<void> {
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

  /** close ends every stream and session. */
  async close(): Promise<void> {
    this.closing = true;
    for (const s of this.streams) s.close(http2.constants.NGHTTP2_CANCEL);
    await Promise.all(
      this.sessions.map((s) => new Promise<void>((resolve) => (s.closed ? resolve() : s.close(resolve)))),
    );
  }
}
