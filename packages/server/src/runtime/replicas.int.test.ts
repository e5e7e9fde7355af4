import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { common, compute, iam } from "@limiquantix/api";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Config } from "../config/schema";
import { type ProductionSetup, productionSetup } from "../testing/production-setup";
import { adminToken, loginAs, withBearer } from "../testing/signed-in";
import { type RunningServer, startServer } from "./server";

const logger = pino({ level: "silent" });
let setup: ProductionSetup;
let config: Config;
const running: RunningServer[] = [];
/** The admin's access token the clients send (each test signs in through its first replica). */
let token = "";

beforeAll(async () => {
  setup = await productionSetup("replicas");
  config = setup.config;
}, 120_000);

afterAll(async () => {
  for (const s of running) await s.stop();
  await setup?.close();
});

async function replica(): Promise<RunningServer> {
  const s = await startServer(config, { logger, version: "test" });
  running.push(s);
  return s;
}

const signedIn = (s: RunningServer) =>
  createGrpcTransport({ baseUrl: s.url, interceptors: [withBearer(token)] });
const vmsOf = (s: RunningServer) => createClient(compute.VMService, signedIn(s));

async function registerNode(s: RunningServer): Promise<void> {
  await createClient(compute.NodeService, signedIn(s)).registerNode(
    create(compute.RegisterNodeRequestSchema, {
      name: "hv",
      spec: {
        hostname: "hv.lab",
        managementIp: "10.0.0.5",
        agentAddress: "127.0.0.1:1",
        cpu: { sockets: 1, coresPerSocket: 32, threadsPerCore: 1 },
        memoryMib: 131072n,
      },
    }),
  );
}

describe("two replicas on one PostgreSQL", () => {
  it("accept on one replica the session opened on the other, and refuse a caller without one", async () => {
    const a = await replica();
    const b = await replica();
    // The first replica to start created the admin, with a generated password (no data directory).
    const password = a.bootstrap?.generatedPassword;
    expect(password).toBeTruthy();
    token = await loginAs(a.url, "admin", password!);
    const me = await createClient(iam.AuthService, signedIn(b)).whoAmI({});
    expect(me.user?.username).toBe("admin");
    const anonymous = await createClient(compute.VMService, createGrpcTransport({ baseUrl: b.url }))
      .listVMs({})
      .catch((e: unknown) => ConnectError.from(e));
    expect((anonymous as ConnectError).code).toBe(Code.Unauthenticated);
    for (const s of [a, b]) await s.stop();
    running.length = 0;
  }, 60_000);

  it("a watcher on one replica sees every write made through the other, once and in order, and resumes across a restart", async () => {
    const a = await replica();
    const b = await replica();
    token = await adminToken(a);
    await registerNode(a);
    const abort = new AbortController();
    const seen: { name: string; type: common.EventType; rv: bigint }[] = [];
    const watching = (async () => {
      for await (const e of vmsOf(b).watchVMs({}, { signal: abort.signal }))
        if (e.type !== common.EventType.BOOKMARK)
          seen.push({ name: e.vm!.name, type: e.type, rv: e.resourceVersion });
    })().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200));
    const names = Array.from({ length: 20 }, (_, i) => `vm-${i}`);
    for (const name of names)
      await vmsOf(a).createVM({ projectId: "default", name, spec: { vcpus: 1, memoryMib: 512n } });
    const deadline = Date.now() + 15_000;
    while (
      seen.filter((e) => e.type === common.EventType.CREATED).length < names.length &&
      Date.now() < deadline
    )
      await new Promise((r) => setTimeout(r, 50));
    abort.abort();
    await watching;
    const created = seen.filter((e) => e.type === common.EventType.CREATED).map((e) => e.name);
    expect(created).toEqual(names);
    const revisions = seen.map((e) => e.rv);
    expect(revisions).toEqual([...revisions].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));

    // B goes away; writes go on through A; a new B resumes from the last revision it gave.
    const last = revisions.at(-1)!;
    await b.stop();
    running.splice(running.indexOf(b), 1);
    for (const name of ["late-1", "late-2"])
      await vmsOf(a).createVM({ projectId: "default", name, spec: { vcpus: 1, memoryMib: 512n } });
    const b2 = await replica();
    const resumed: string[] = [];
    const abort2 = new AbortController();
    const resuming = (async () => {
      for await (const e of vmsOf(b2).watchVMs({ resourceVersion: last }, { signal: abort2.signal }))
        if (e.type === common.EventType.CREATED) resumed.push(e.vm!.name);
    })().catch(() => undefined);
    const until = Date.now() + 15_000;
    while (resumed.length < 2 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    abort2.abort();
    await resuming;
    expect(resumed).toEqual(["late-1", "late-2"]);

    // Reads are consistent on every replica: a write through A is seen by the next read on B.
    const { vms } = await vmsOf(a).listVMs({ labelSelector: "" });
    const target = vms.find((v) => v.name === "late-2")!;
    for (let i = 0; i < 5; i++) {
      await vmsOf(a).updateVM({ id: target.id, labels: { round: String(i) } });
      expect((await vmsOf(b2).getVM({ id: target.id })).vm?.labels).toEqual({ round: String(i) });
    }
  }, 120_000);
});
