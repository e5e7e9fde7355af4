import { type DomainError, invalidArgument } from "@limiquantix/domain";
import { Redis } from "ioredis";
import { classifyRedisError, requirePositiveInt } from "./errors";

/** RedisConnectionOptions say where Redis is and how long a call may take before it fails. */
export interface RedisConnectionOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` for TLS. */
  readonly url: string;
  /** How long to wait for a TCP connection, in ms (default 2000). */
  readonly connectTimeoutMs?: number;
  /** How long one command may take before it fails with Unavailable, in ms (default 2000). */
  readonly commandTimeoutMs?: number;
  /** Upper bound of the delay between reconnection attempts, in ms (default 1000). */
  readonly reconnectMaxDelayMs?: number;
  /** Name shown by `CLIENT LIST`, to tell replicas apart. */
  readonly connectionName?: string;
  /** Receives connection errors (already classified); they never crash the process. */
  readonly onError?: (error: DomainError) => void;
}

/** DEFAULT_CONNECT_TIMEOUT_MS is how long a connection attempt may take by default. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 2000;

/** DEFAULT_COMMAND_TIMEOUT_MS is how long a command may take by default. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 2000;

function validateUrl(url: unknown): string {
  if (typeof url !== "string" || !/^rediss?:\/\/[^/]+/.test(url)) {
    throw invalidArgument([
      {
        field: "url",
        description: `must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379 (got ${JSON.stringify(url)})`,
      },
    ]);
  }
  return url;
}

/**
 * openRedis connects to Redis with fail-fast settings (no offline queue, a command timeout,
 * one retry per request) and resolves once the connection is ready; an unreachable server
 * rejects with Unavailable. The connection keeps reconnecting in the background after a loss.
 */
export async function openRedis(options: RedisConnectionOptions): Promise<Redis> {
  const url = validateUrl(options.url);
  const connectTimeout = requirePositiveInt(
    "connectTimeoutMs",
    options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
  );
  const commandTimeout = requirePositiveInt(
    "commandTimeoutMs",
    options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
  );
  const maxDelay = requirePositiveInt("reconnectMaxDelayMs", options.reconnectMaxDelayMs ?? 1000);
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout,
    commandTimeout,
    // Commands issued while disconnected fail at once instead of queueing for a server that
    // may never come back; commands in flight at a disconnect are retried once, then fail.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    // The event bus resubscribes itself, so it can report failures and skip stale topics.
    autoResubscribe: false,
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 10), maxDelay),
    ...(options.connectionName ? { connectionName: options.connectionName } : {}),
  });
  // An 'error' event without a listener would be thrown by the emitter and crash the process.
  client.on("error", (err: unknown) => options.onError?.(classifyRedisError(err, "Redis connection")));
  try {
    await connectWithin(client, connectTimeout * 2);
  } catch (err) {
    client.disconnect();
    throw classifyRedisError(err, `connecting to Redis at ${redactUrl(url)}`);
  }
  return client;
}

// connect() alone can wait through several retries; bound the first connection so start-up
// with an unreachable Redis fails promptly and says so.
async function connectWithin(client: Redis, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`connect ETIMEDOUT after ${ms} ms`)), ms);
  });
  try {
    await Promise.race([client.connect(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** redactUrl hides the password of a Redis URL, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}

/** closeRedis ends a connection gracefully when possible and at once when Redis is gone. */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === "ready") {
    try {
      await client.quit();
      return;
    } catch {
      // fall through: the server went away while quitting
    }
  }
  client.disconnect();
}
