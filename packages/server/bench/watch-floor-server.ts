// A floor server for the watch bench, in a process of its own: it streams WatchVMs responses to
// every open stream without any of the control plane (no database, relay, authentication, filter
// or conversion), as fast as the framework under it allows. Forked by watch-floor.ts with the
// framework as its argument:
//   connect  connect-node (the server's own Connect, patches included) answering WatchVMs with an
//            async generator per stream, every stream sending the same frozen message per write;
//   http2    node:http2 alone: each write's message encoded and enveloped once, then written to
//            every stream in one loop (the least any Node server can do per delivered event).
// The parent asks it (IPC) to send `count` writes numbered from `fromSeq` at `perSecond`, each a
// VM whose labels carry its number and send time as the real writer's do; it answers with the
// process's CPU time from the start of the run to its end (once every watcher has caught up).
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { create, toBinary } from "@bufbuild/protobuf";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { common, compute } from "@limiquantix/api";
import { wallMs } from "./latency-histogram";

/** FloorFramework names what a floor server is built on. */
export type FloorFramework = "connect" | "http2";

/** FloorRequest is what the parent asks of a floor server. */
export type FloorRequest =
  | { readonly type: "send"; readonly fromSeq: number; readonly count: number; readonly perSecond: number }
  | { readonly type: "end" }
  | { readonly type: "stop" };

/** FloorReply is what a floor server tells its parent. */
export type FloorReply =
  | { readonly type: "started"; readonly url: string }
  | { readonly type: "sent"; readonly seconds: number }
  | { readonly type: "ended"; readonly cpuSeconds: number };

/** FLOOR_VM is the VM every write sends, as a watcher of the seeded project would see it. */
const FLOOR_VM = create(compute.VirtualMachineSchema, {
  id: "wvm-0000",
  name: "wvm-0000",
  projectId: "watch",
  clusterId: "cl",
  spec: { vcpus: 1, memoryMib: 2048n, ha: { enabled: true } },
  status: { powerState: compute.PowerState.STOPPED },
});

const message = (seq: number): compute.WatchVMsResponse =>
  Object.freeze(
    create(compute.WatchVMsResponseSchema, {
      type: common.EventType.UPDATED,
      vm: {
        ...FLOOR_VM,
        labels: { app: "watch-bench", "bench-seq": String(seq), "bench-sent": String(wallMs()) },
      },
    }),
  );

const BOOKMARK = Object.freeze(create(compute.WatchVMsResponseSchema, { type: common.EventType.BOOKMARK }));

const envelope = (m: compute.WatchVMsResponse): Buffer => {
  const bytes = toBinary(compute.WatchVMsResponseSchema, m);
  const frame = Buffer.allocUnsafe(5 + bytes.length);
  frame[0] = 0;
  frame.writeUInt32BE(bytes.length, 1);
  frame.set(bytes, 5);
  return frame;
};

/** Link is one write in the chain every connect stream follows (no per-stream queue). */
interface Link {
  readonly message: compute.WatchVMsResponse;
  readonly next: Promise<Link>;
}

/** Fanout is how a floor server hands one write to every stream. */
interface Fanout {
  send(m: compute.WatchVMsResponse): void;
  readonly server: http2.Http2Server;
}

function connectFanout(): Fanout {
  let settle!: (link: Link) => void;
  let head = new Promise<Link>((r) => {
    settle = r;
  });
  const server = http2.createServer(
    connectNodeAdapter({
      routes: (router) =>
        void router.service(compute.VMService, {
          async *watchVMs() {
            let at = head;
            yield BOOKMARK;
            for (;;) {
              const link = await at;
              yield link.message;
              at = link.next;
            }
          },
        }),
    }),
  );
  return {
    server,
    send(m) {
      const resolve = settle;
      const next = new Promise<Link>((r) => {
        settle = r;
      });
      head = next;
      resolve({ message: m, next });
    },
  };
}

function http2Fanout(): Fanout {
  const streams = new Set<http2.ServerHttp2Stream>();
  const server = http2.createServer();
  server.on("stream", (stream) => {
    stream.on("error", () => undefined);
    stream.on("close", () => streams.delete(stream));
    stream.respond({ ":status": 200, "content-type": "application/grpc" });
    stream.write(envelope(BOOKMARK));
    streams.add(stream);
  });
  return {
    server,
    send(m) {
      const frame = envelope(m);
      for (const s of streams) s.write(frame);
    },
  };
}

async function sendAt(fanout: Fanout, fromSeq: number, count: number, perSecond: number): Promise<void> {
  const started = performance.now();
  let sent = 0;
  while (sent < count) {
    const due = Math.min(count, Math.floor(((performance.now() - started) * perSecond) / 1000) + 1);
    for (; sent < due; sent++) fanout.send(message(fromSeq + sent));
    const nextAt = started + (sent * 1000) / perSecond;
    await new Promise((r) => setTimeout(r, Math.max(0, nextAt - performance.now())));
  }
}

async function main(): Promise<void> {
  const framework = process.argv[2];
  if (framework !== "connect" && framework !== "http2")
    throw new Error(`the floor framework is connect or http2 (got ${String(framework)})`);
  const fanout = framework === "connect" ? connectFanout() : http2Fanout();
  const sessions = new Set<http2.ServerHttp2Session>();
  fanout.server.on("session", (s) => {
    sessions.add(s);
    s.on("close", () => sessions.delete(s));
  });
  await new Promise<void>((r) => fanout.server.listen(0, "127.0.0.1", r));
  const reply = (m: FloorReply) => process.send?.(m);
  let cpu = process.cpuUsage();
  process.on("message", (m: FloorRequest) => {
    if (m.type === "stop") {
      for (const s of sessions) s.destroy();
      fanout.server.close();
      process.exit(0);
    }
    if (m.type === "end") {
      const used = process.cpuUsage(cpu);
      reply({ type: "ended", cpuSeconds: (used.user + used.system) / 1e6 });
      return;
    }
    cpu = process.cpuUsage();
    const started = performance.now();
    void sendAt(fanout, m.fromSeq, m.count, m.perSecond).then(() =>
      reply({ type: "sent", seconds: (performance.now() - started) / 1000 }),
    );
  });
  reply({ type: "started", url: `http://127.0.0.1:${(fanout.server.address() as AddressInfo).port}` });
}

main().catch((e: unknown) => {
  process.stderr.write(`floor server failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
