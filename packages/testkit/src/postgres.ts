import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { freePort, startOnFreePorts } from "./free-port";
import { superviseServer } from "./supervised-server";
import { makeTempDir } from "./temp-dir";

const run = promisify(execFile);

/** POSTGRES_URL_ENV names the variable that points the tests at an existing PostgreSQL server. */
export const POSTGRES_URL_ENV = "LQX_TEST_DATABASE_URL";

/** PostgresTestServer is a PostgreSQL server for integration tests. */
export interface PostgresTestServer {
  /** Connection URL of the server's `postgres` database, as a superuser. */
  readonly url: string;
  /** private says whether this process started the server (and may stop and start it). */
  readonly private: boolean;
  /** stop shuts a private server down (fast shutdown: sessions are cut); start() brings it back at the same URL. */
  stop(): Promise<void>;
  /** start restarts a private server stopped by stop(). */
  start(): Promise<void>;
}

/** TestDatabase is a fresh, empty database of its own on the test server. */
export interface TestDatabase {
  /** Connection URL of the database. */
  readonly url: string;
  readonly name: string;
  readonly server: PostgresTestServer;
  /** drop removes the database, cutting any session still connected to it. */
  drop(): Promise<void>;
}

let shared: Promise<PostgresTestServer> | undefined;
// One handle per URL from the environment, so every call names the same server object.
const external = new Map<string, PostgresTestServer>();

/**
 * testPostgres returns the PostgreSQL server of this test process: the one named by
 * LQX_TEST_DATABASE_URL, else a private server started once from the binaries on the machine.
 */
export function testPostgres(): Promise<PostgresTestServer> {
  const fromEnv = process.env[POSTGRES_URL_ENV];
  if (fromEnv) {
    let server = external.get(fromEnv);
    if (!server) {
      server = externalPostgres(fromEnv);
      external.set(fromEnv, server);
    }
    return Promise.resolve(server);
  }
  shared ??= startPrivatePostgres();
  return shared;
}

/** createTestDatabase creates a database with a random name on the test server, for one test file. */
export async function createTestDatabase(server?: PostgresTestServer): Promise<TestDatabase> {
  const srv = server ?? (await testPostgres());
  const name = `lqx_test_${randomBytes(6).toString("hex")}`;
  await withClient(srv.url, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = withDatabase(srv.url, name);
  return {
    url,
    name,
    server: srv,
    drop: () =>
      withClient(srv.url, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  };
}

function externalPostgres(url: string): PostgresTestServer {
  const refuse = () =>
    Promise.reject(
      new Error(
        `the PostgreSQL server at ${url} comes from ${POSTGRES_URL_ENV}; use startPrivatePostgres() to stop it`,
      ),
    );
  return { url, private: false, stop: refuse, start: refuse };
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** findPostgresBinDir finds the directory of initdb and postgres: LQX_PG_BIN, else the newest /usr/lib/postgresql/<v>/bin. */
export function findPostgresBinDir(): string {
  const fromEnv = process.env.LQX_PG_BIN;
  if (fromEnv) return fromEnv;
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0] === undefined)
    throw new Error(
      `no PostgreSQL binaries under ${root}: install postgresql, set LQX_PG_BIN to the directory of initdb, or set ${POSTGRES_URL_ENV}`,
    );
  return join(root, versions[0], "bin");
}

/** pingPostgres says whether a PostgreSQL server accepts a connection and answers a query. */
export async function pingPostgres(url: string): Promise<boolean> {
  try {
    await withClient(url, (c) => c.query("SELECT 1"));
    return true;
  } catch {
    return false;
  }
}

// initdb and postgres refuse to run as root, so as root they run as the postgres system user.
function asServerUser(command: string, args: readonly string[]): { command: string; args: string[] } {
  if (process.getuid?.() !== 0) return { command, args: [...args] };
  return { command: "runuser", args: ["-u", "postgres", "--", command, ...args] };
}

function chownToServerUser(path: string): void {
  if (process.getuid?.() !== 0) return;
  const uid = Number.parseInt(process.env.LQX_PG_UID ?? "", 10);
  const ids = Number.isNaN(uid) ? lookupUser("postgres") : { uid, gid: uid };
  chownSync(path, ids.uid, ids.gid);
  chmodSync(path, 0o700);
}

function lookupUser(name: string): { uid: number; gid: number } {
  const passwd = readFileSync("/etc/passwd", "utf8");
  for (const line of passwd.split("\n")) {
    const [user, , uid, gid] = line.split(":");
    if (user === name) return { uid: Number(uid), gid: Number(gid) };
  }
  throw new Error(
    `running as root needs a '${name}' system user to run PostgreSQL: create it (useradd -r ${name})`,
  );
}

/** PrivatePostgresOptions tune a private server. */
export interface PrivatePostgresOptions {
  /** Directory of initdb and postgres (default: the newest under /usr/lib/postgresql). */
  readonly binDir?: string;
  /** Further server settings (`-c name=value`), such as `shared_buffers` for a benchmark. */
  readonly settings?: Readonly<Record<string, string>>;
}

/**
 * startPrivatePostgres initialises a new cluster in a temporary directory (fsync off) and runs
 * postgres on a free port with its socket in that directory; it is stopped when the process exits.
 */
export function startPrivatePostgres(options: PrivatePostgresOptions = {}): Promise<PostgresTestServer> {
  return startOnFreePorts(() => startPostgresOnce(options));
}

async function startPostgresOnce(options: PrivatePostgresOptions): Promise<PostgresTestServer> {
  const binDir = options.binDir ?? findPostgresBinDir();
  const port = await freePort();
  const dir = await makeTempDir("postgres");
  chownToServerUser(dir.path);
  const data = join(dir.path, "data");
  const init = asServerUser(join(binDir, "initdb"), [
    "-D",
    data,
    "-U",
    "postgres",
    "--auth=trust",
    "--encoding=UTF8",
    "--no-sync",
    "--no-instructions",
  ]);
  try {
    await run(init.command, init.args, { cwd: dir.path });
  } catch (error) {
    await dir.remove();
    const out = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`initdb failed in ${data}: ${out.trim()}`);
  }
  const settings = [
    ["listen_addresses", "127.0.0.1"],
    ["port", String(port)],
    ["unix_socket_directories", dir.path],
    ["fsync", "off"],
    ["synchronous_commit", "off"],
    ["full_page_writes", "off"],
    ["max_connections", "200"],
    ...Object.entries(options.settings ?? {}),
  ];
  // A fast shutdown (SIGINT) cuts open sessions; the supervisor sends SIGTERM, which postgres
  // reads as a smart shutdown that would wait for every pool to disconnect.
  const shim = 'trap \'kill -INT "$p" 2>/dev/null; wait "$p"\' TERM INT; "$@" & p=$!; wait "$p"';
  const postgres = asServerUser("sh", [
    "-c",
    shim,
    "pg-shim",
    join(binDir, "postgres"),
    "-D",
    data,
    ...settings.flatMap(([k, v]) => ["-c", `${k}=${v}`]),
  ]);
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const server = superviseServer({
    name: "postgres",
    command: postgres.command,
    args: postgres.args,
    probe: () => pingPostgres(url),
    startTimeoutMs: 60_000,
    cleanupDirs: [dir.path],
  });
  await server.start();
  return { url, private: true, stop: () => server.stop(), start: () => server.start() };
}
