import { connect } from "node:net";
import { freePort, startOnFreePorts } from "./free-port";
import { superviseServer } from "./supervised-server";
import { makeTempDir } from "./temp-dir";

/** RedisTestServer is a Redis server for integration tests. */
export interface RedisTestServer {
  /** redis://host:port URL to connect to. */
  readonly url: string;
  /** private says whether this process started the server (and may stop and start it). */
  readonly private: boolean;
  /** stop shuts a private server down; it keeps its port so start() brings it back at the same URL. */
  stop(): Promise<void>;
  /** start restarts a private server stopped by stop(). */
  start(): Promise<void>;
}

/** REDIS_URL_ENV names the variable that points the tests at an existing Redis server. */
export const REDIS_URL_ENV = "LQX_TEST_REDIS_URL";

let shared: Promise<RedisTestServer> | undefined;
// One handle per URL from the environment, so every call names the same server object.
const external = new Map<string, RedisTestServer>();

/**
 * testRedis returns the Redis server of this test process: the one named by LQX_TEST_REDIS_URL,
 * else a private redis-server started once on a free port and stopped when the process exits.
 */
export function testRedis(): Promise<RedisTestServer> {
  const fromEnv = process.env[REDIS_URL_ENV];
  if (fromEnv) {
    let server = external.get(fromEnv);
    if (!server) {
      server = externalRedis(fromEnv);
      external.set(fromEnv, server);
    }
    return Promise.resolve(server);
  }
  shared ??= startPrivateRedis();
  return shared;
}

function externalRedis(url: string): RedisTestServer {
  const refuse = () =>
    Promise.reject(
      new Error(`the Redis server at ${url} comes from ${REDIS_URL_ENV}; use startPrivateRedis() to stop it`),
    );
  return { url, private: false, stop: refuse, start: refuse };
}

/** pingRedis says whether a Redis server answers PING on host:port. */
export function pingRedis(port: number, host = "127.0.0.1", timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString("utf8").startsWith("+PONG")));
  });
}

/**
 * startPrivateRedis starts a new redis-server on a free port in a temporary directory (no
 * persistence), for tests that must stop and restart it; it is stopped when the process exits.
 */
export function startPrivateRedis(binary = "redis-server"): Promise<RedisTestServer> {
  return startOnFreePorts(() => startRedisOnce(binary));
}

async function startRedisOnce(binary: string): Promise<RedisTestServer> {
  const port = await freePort();
  const dir = await makeTempDir("redis");
  const server = superviseServer({
    name: binary,
    command: binary,
    args: [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir.path,
      "--save",
      "",
      "--appendonly",
      "no",
      "--protected-mode",
      "no",
    ],
    probe: () => pingRedis(port),
    cleanupDirs: [dir.path],
  });
  await server.start();
  return {
    url: `redis://127.0.0.1:${port}`,
    private: true,
    stop: () => server.stop(),
    start: () => server.start(),
  };
}
