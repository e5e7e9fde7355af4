import { createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { iam } from "@limiquantix/api";
import { eventually } from "@limiquantix/domain/conformance";
import { bindMemoryAdapters, createMemoryAdapters } from "@limiquantix/repo-memory";
import { bindPostgresAdapters, createPostgresStore, type PostgresStore } from "@limiquantix/repo-postgres";
import { createTestDatabase, type TestDatabase } from "@limiquantix/testkit";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { portModule } from "../composition/backends/port-module";
import { type ControlPlane, createControlPlane } from "../composition/services";
import { ConfigSchema } from "../config/schema";
import { type OnePortServer, startOnePortServer } from "../http/one-port-server";
import { withCallContext } from "./call-context-interceptor";
import { createConnectHandler } from "./connect-handler";
import { registerRoutes } from "./route";

let database: TestDatabase;
let store: PostgresStore;
let observer: PostgresStore;
let plane: ControlPlane;
let server: OnePortServer;

beforeAll(async () => {
  database = await createTestDatabase();
  store = await createPostgresStore({
    connectionString: database.url,
    migrate: true,
    pool: { applicationName: "lqx-served" },
  });
  observer = await createPostgresStore({
    connectionString: database.url,
    pool: { applicationName: "lqx-observer" },
  });
  const memory = createMemoryAdapters();
  plane = await createControlPlane({
    adapters: [
      portModule((b) => bindMemoryAdapters(b, memory)),
      portModule((b) => bindPostgresAdapters(b, store)),
    ],
    config: ConfigSchema.parse({}),
    logger: pino({ level: "silent" }),
  });
  const handler = createConnectHandler({
    routes: (router) => {
      registerRoutes(router, plane.routes());
    },
    interceptors: [withCallContext()],
  });
  server = await startOnePortServer({ host: "127.0.0.1", port: 0, handler });
}, 120_000);

afterAll(async () => {
  await server?.stop(200);
  await plane?.close();
  await observer?.close();
  await store?.close();
  await database?.drop();
});

/** waitingStatements counts the served pool's statements that wait for a lock. */
async function waitingStatements(): Promise<number> {
  const res = await observer.db.query<{ n: string }>(
    "SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'lqx-served' AND wait_event_type = 'Lock'",
  );
  return Number(res.rows[0]?.n ?? 0);
}

describe("cancellation", () => {
  it("cancels the database query of a call whose client goes away", async () => {
    const projects = createClient(
      iam.ProjectService,
      createConnectTransport({ baseUrl: `http://127.0.0.1:${server.port}`, httpVersion: "1.1" }),
    );
    await projects.createProject({ name: "blocked" });
    await observer.db.session(async (s) => {
      await s.query("BEGIN");
      // Held until the end of the test: every read of projects waits behind it.
      await s.query("LOCK TABLE projects IN ACCESS EXCLUSIVE MODE");
      const client = new AbortController();
      const call = projects.listProjects({}, { signal: client.signal }).catch((e: unknown) => e);
      await eventually(async () => expect(await waitingStatements()).toBe(1), 10_000);
      client.abort();
      await call;
      // The lock is still held: only a cancellation on the server ends the waiting statement.
      await eventually(async () => expect(await waitingStatements()).toBe(0), 10_000);
      await s.query("ROLLBACK");
    });
  });

  it("leaves the queries of calls that complete alone", async () => {
    const projects = createClient(
      iam.ProjectService,
      createConnectTransport({ baseUrl: `http://127.0.0.1:${server.port}`, httpVersion: "1.1" }),
    );
    const { projects: listed } = await projects.listProjects({});
    expect(listed.map((p) => p.name)).toContain("blocked");
  });
});
