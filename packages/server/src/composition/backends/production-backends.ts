import {
  bindRedisAdapters,
  createRedisAdapters,
  redactUrl,
  SlidingWindowRateLimiter,
} from "@limiquantix/cache-redis";
import { bindEtcdCoordinator, createEtcdCoordinator } from "@limiquantix/coordination-etcd";
import { Clock, IdGenerator, systemClock, unavailable, uuidV7Generator } from "@limiquantix/domain";
import { bindPostgresAdapters, createPostgresStore } from "@limiquantix/repo-postgres";
import type { Config } from "../../config/schema";
import type { Backends } from "../backends";
import { portModule } from "./port-module";

function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "5432"}`;
  } catch {
    return "(unparseable URL)";
  }
}

async function attempt<T>(what: string, address: string, open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (e) {
    throw unavailable(
      `cannot reach ${what} at ${address}: ${(e as Error).message}; check that it runs and the address is right`,
      { component: what, address },
      e,
    );
  }
}

/**
 * openProductionBackends connects to PostgreSQL, Redis and etcd, shared with the other replicas,
 * all three at once; any one unreachable fails start-up (PostgreSQL's failure named first, then
 * Redis's, then etcd's), and those that opened are closed again.
 */
export async function openProductionBackends(config: Config): Promise<Backends> {
  const clock = systemClock;
  const url = config.database.url!;
  const pool = config.database.pool;
  const redisUrl = config.redis.url!;
  const etcdAddress = config.etcd.endpoints.join(",");
  const [opened, redisOpened, coordinatorOpened] = await Promise.allSettled([
    attempt("PostgreSQL", hostOf(url), () =>
      createPostgresStore({
        connectionString: url,
        pool: {
          max: pool.max,
          idleTimeoutMs: pool.idleTimeoutSec * 1000,
          maxLifetimeSec: pool.maxLifetimeSec,
          statementTimeoutMs: pool.statementTimeoutMs,
          preparedStatements: pool.preparedStatements,
        },
        migrate: config.database.migrateOnStart,
        unitOfWork: { maxGroup: config.database.maxGroupCommit },
        clock,
      }),
    ),
    attempt("Redis", redactUrl(redisUrl), () =>
      createRedisAdapters({ url: redisUrl, keyPrefix: config.redis.keyPrefix, cacheOnOutage: "miss" }),
    ),
    attempt("etcd", etcdAddress, () =>
      createEtcdCoordinator({
        endpoints: config.etcd.endpoints,
        electionPrefix: `${config.etcd.prefix}/elections/`,
        lockPrefix: `${config.etcd.prefix}/locks/`,
        nodePrefix: `${config.etcd.prefix}/nodes/`,
        leaseTtlMs: config.etcd.leaseTtlSec * 1000,
      }),
    ),
  ]);
  if (
    opened.status === "rejected" ||
    redisOpened.status === "rejected" ||
    coordinatorOpened.status === "rejected"
  ) {
    if (coordinatorOpened.status === "fulfilled")
      await coordinatorOpened.value.close().catch(() => undefined);
    if (redisOpened.status === "fulfilled") await redisOpened.value.close().catch(() => undefined);
    if (opened.status === "fulfilled") await opened.value.close().catch(() => undefined);
    throw [opened, redisOpened, coordinatorOpened].find((r) => r.status === "rejected")?.reason;
  }
  const store = opened.value;
  const redis = redisOpened.value;
  const coordinator = coordinatorOpened.value;
  const ids = uuidV7Generator();
  return {
    // Sessions and login limits are shared by every replica through Redis.
    identity: {
      sessions: redis.sessions,
      rateLimiter: ({ limit, windowMs, prefix }) =>
        new SlidingWindowRateLimiter(redis.redis, {
          limit,
          windowMs,
          keyPrefix: `${config.redis.keyPrefix}${prefix}`,
        }),
    },
    mode: "production",
    components: [
      {
        name: "database",
        address: hostOf(url),
        check: async () => {
          await store.ping();
          return "ok";
        },
      },
      {
        name: "redis",
        address: redactUrl(redisUrl),
        check: async () => {
          await redis.check();
          return "ok";
        },
      },
      {
        name: "etcd",
        address: etcdAddress,
        check: async () => {
          await coordinator.leader("limiquantix-controllers");
          return "ok";
        },
      },
    ],
    ...(store.db.poolStats ? { poolStats: store.db.poolStats } : {}),
    modules: [
      portModule((b) => bindPostgresAdapters(b, store)),
      portModule((b) => bindRedisAdapters(b, redis)),
      portModule((b) => bindEtcdCoordinator(b, coordinator)),
      portModule((b) => {
        b.bind(Clock, clock);
        b.bind(IdGenerator, ids);
      }),
    ],
    async close() {
      await coordinator.close();
      await redis.close();
      await store.close();
    },
  };
}
