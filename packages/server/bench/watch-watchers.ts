// The watchers of the watch bench: WatchVMs streams over gRPC (cleartext HTTP/2), spread over a few
// HTTP/2 sessions per replica, each counting which of the measured writes it received and how long
// after the writer sent it.
import { setMaxListeners } from "node:events";
import { type Client, Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { common, compute } from "@limiquantix/api";
import { withBearer } from "../src/testing/signed-in";
import { LatencyHistogram, wallMs } from "./latency-histogram";

/** WatcherPoolOptions say how many watchers to open, where, and on what. */
export interface WatcherPoolOptions {
  /** The replicas' URLs; watcher i watches through replica i mod replicas. */
  readonly replicas: readonly string[];
  readonly watchers: number;
  readonly sessionsPerReplica: number;
  readonly projectId: string;
  /** The access token every stream sends (any replica accepts it). */
  readonly token: string;
  /** Streams being opened at once (each lists the project's VMs first). */
  readonly openConcurrency: number;
}

/** Watcher is one WatchVMs stream and what it received. */
export interface Watcher {
  readonly replica: number;
  /** received[seq − fromSeq] is 1 once the measured write `seq` arrived. */
  received: Uint8Array;
  count: number;
  duplicates: number;
  warm: number;
  /** Why the stream ended while it should still run (the gRPC code), if it did. */
  cutOff?: string;
}

/**
 * WatcherTally keeps what a pool's watchers received: which measured writes each had, how late,
 * and why any stopped early. The pools (Connect here, raw HTTP/2 in watch-raw-watchers.ts) feed it.
 */
export class WatcherTally {
  protected readonly watchers: Watcher[] = [];
  private fromSeq = Number.POSITIVE_INFINITY;
  private measured = 0;
  /** Delivery latency per replica, from the writer's send timestamp to receipt here. */
  readonly latency: LatencyHistogram[];

  constructor(replicas: number) {
    this.latency = Array.from({ length: replicas }, () => new LatencyHistogram());
  }

  /** watcher adds a watcher on a replica. */
  protected watcher(replica: number): Watcher {
    const w: Watcher = { replica, received: new Uint8Array(0), count: 0, duplicates: 0, warm: 0 };
    this.watchers.push(w);
    return w;
  }

  /** note records an UPDATED event a watcher received, by the labels the writer set. */
  protected note(w: Watcher, labels: Readonly<Record<string, string>>): void {
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
}

/** WatcherPool opens, follows and closes every watcher of one bench configuration. */
export class WatcherPool extends WatcherTally {
  private readonly abort = new AbortController();
  private readonly streams: Promise<void>[] = [];

  constructor(private readonly options: WatcherPoolOptions) {
    super(options.replicas.length);
    // Every stream listens to this one signal.
    setMaxListeners(0, this.abort.signal);
  }

  /** open opens every watcher and resolves once each has received its initial list and BOOKMARK. */
  async open(): Promise<void> {
    const { replicas, sessionsPerReplica, watchers, openConcurrency, token } = this.options;
    const clients: Client<typeof compute.VMService>[][] = replicas.map((baseUrl) =>
      Array.from({ length: sessionsPerReplica }, () =>
        createClient(compute.VMService, createGrpcTransport({ baseUrl, interceptors: [withBearer(token)] })),
      ),
    );
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(openConcurrency, watchers) }, async () => {
        for (let i = next++; i < watchers; i = next++) {
          const replica = i % replicas.length;
          const client = clients[replica]![Math.floor(i / replicas.length) % sessionsPerReplica]!;
          const watcher = this.watcher(replica);
          await new Promise<void>((ready) => this.streams.push(this.follow(client, watcher, ready)));
        }
      }),
    );
  }

  /** close ends every stream and waits for them to finish. */
  async close(): Promise<void> {
    this.abort.abort();
    await Promise.all(this.streams);
  }

  private async follow(
    client: Client<typeof compute.VMService>,
    w: Watcher,
    ready: () => void,
  ): Promise<void> {
    const { signal } = this.abort;
    try {
      for await (const res of client.watchVMs({ projectId: this.options.projectId }, { signal })) {
        if (res.type === common.EventType.UPDATED) this.note(w, res.vm?.labels ?? {});
        else if (res.type === common.EventType.BOOKMARK) ready();
      }
      if (!signal.aborted) w.cutOff = "stream ended";
    } catch (e) {
      if (!signal.aborted)
        w.cutOff = e instanceof ConnectError ? `${Code[e.code]}: ${e.rawMessage}` : String(e);
    } finally {
      ready();
    }
  }
}
