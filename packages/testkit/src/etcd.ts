import { freePorts, startOnFreePorts } from "./free-port";
import { superviseServer } from "./supervised-server";
import { makeTempDir } from "./temp-dir";

/** EtcdTestServer is an etcd server for integration tests. */
export interface EtcdTestServer {
  /** Client endpoints, e.g. `["http://127.0.0.1:23790"]`. */
  readonly endpoints: readonly string[];
  /** private says whether this process started the server (and may stop and start it). */
  readonly private: boolean;
  /** stop shuts a private server down; its data survives, and start() brings it back on the same port. */
  stop(): Promise<void>;
  /** start restarts a private server stopped by stop(). */
  start(): Promise<void>;
}

/** ETCD_ENDPOINTS_ENV names the variable (comma-separated URLs) that points the tests at an existing etcd. */
export const ETCD_ENDPOINTS_ENV = "LQX_TEST_ETCD_ENDPOINTS";

let shared: Promise<EtcdTestServer> | undefined;
// One handle per setting of the environment, so every call names the same server object.
const external = new Map<string, EtcdTestServer>();

/**
 * testEtcd returns the etcd server of this test process: the one named by LQX_TEST_ETCD_ENDPOINTS,
 * else a private etcd started once on free ports and stopped when the process exits.
 */
export function testEtcd(): Promise<EtcdTestServer> {
  const fromEnv = process.env[ETCD_ENDPOINTS_ENV];
  if (fromEnv) {
    let server = external.get(fromEnv);
    if (!server) {
      server = externalEtcd(fromEnv);
      external.set(fromEnv, server);
    }
    return Promise.resolve(server);
  }
  shared ??= startPrivateEtcd();
  return shared;
}

function externalEtcd(fromEnv: string): EtcdTestServer {
  const endpoints = fromEnv
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const refuse = () =>
    Promise.reject(
      new Error(`etcd at ${fromEnv} comes from ${ETCD_ENDPOINTS_ENV}; use startPrivateEtcd() to stop it`),
    );
  return { endpoints, private: false, stop: refuse, start: refuse };
}

async function healthy(endpoint: string): Promise<boolean> {
  const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
  if (!res.ok) return false;
  const body = (await res.json()) as { health?: unknown };
  return body.health === "true" || body.health === true;
}

/**
 * startPrivateEtcd starts a new single-member etcd on free ports with its data in a temporary
 * directory, for tests that must stop and restart it; it is stopped when the process exits.
 */
export function startPrivateEtcd(binary = "etcd"): Promise<EtcdTestServer> {
  return startOnFreePorts(() => startEtcdOnce(binary));
}

async function startEtcdOnce(binary: string): Promise<EtcdTestServer> {
  const [clientPort, peerPort] = await freePorts(2);
  const dir = await makeTempDir("etcd");
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const server = superviseServer({
    name: binary,
    command: binary,
    args: [
      "--name",
      "lqx-test",
      "--data-dir",
      `${dir.path}/data`,
      "--listen-client-urls",
      client,
      "--advertise-client-urls",
      client,
      "--listen-peer-urls",
      peer,
      "--initial-advertise-peer-urls",
      peer,
      "--initial-cluster",
      `lqx-test=${peer}`,
      "--logger",
      "zap",
      "--log-level",
      "error",
    ],
    probe: () => healthy(client),
    cleanupDirs: [dir.path],
  });
  await server.start();
  return {
    endpoints: [client],
    private: true,
    stop: () => server.stop(),
    start: () => server.start(),
  };
}
