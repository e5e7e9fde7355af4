import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { bindRedisAdapters, createRedisAdapters, redactUrl } from "@limiquantix/cache-redis";
import { bindEtcdCoordinator, createEtcdCoordinator } from "@limiquantix/coordination-etcd";
import {
  type Cache,
  Cache as CacheId,
  type Clock,
  type Coordinator,
  Coordinator as CoordinatorId,
  type EventBus,
  EventBus as EventBusId,
  type PortBinder,
  type IdGenerator,
  type Repositories,
  type UnitOfWork,
  systemClock,
  unavailable,
  uuidV7Generator,
} from "@limiquantix/domain";
import {
  bindMemoryAdapters,
  createMemoryAdapters,
  MemoryCache,
  MemoryCoordinator,
  MemoryEventBus,
} from "@limiquantix/repo-memory";
import {
  bindPostgresAdapters,
  createPgliteStore,
  createPostgresStore,
  type PostgresStore,
} from "@limiquantix/repo-postgres";
import type { Logger } from "pino";
import type { Config } from "../config/schema";
import type { HealthCheck } from "../observability/health";

/** AdapterModule binds the ports one adapter package implements. */
export interface AdapterModule {
  readonly name: string;
  load(binder: PortBinder): void;
}

function inProcessModule(local: { events: EventBus; cache: Cache; coordinator: Coordinator }): AdapterModule {
  return {
    name: "@limiquantix/repo-memory (events, cache, coordinator)",
    load(binder) {
      binder.bind(EventBusId, local.events);
      binder.bind(CacheId, local.cache);
      binder.bind(CoordinatorId, local.coordinator);
    },
  };
}

/** Backends are the adapters a server mode binds to the ports, and how to check and close them. */
export interface Backends {
  readonly mode: Config["mode"];
  readonly repos: Repositories;
  readonly uow: UnitOfWork;
  readonly events: EventBus;
  readonly cache: Cache;
  readonly coordinator: Coordinator;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Components `/ready` reports, with the address each one uses. */
  readonly components: readonly { name: string; address: string; check: HealthCheck }[];
  /** One container module per adapter package, each binding that package's ports. */
  readonly modules: readonly AdapterModule[];
  /** Database pool figures for /metrics, where there is a pool. */
  readonly poolStats?: () => { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

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
    throw unavailable(`cannot reach ${what} at ${address}: ${(e as Error).message}; check that it runs and the address is right`, {
      component: what,
      address,
    }, e);
  }
}

function inProcess(clock: Clock) {
  return { events: new MemoryEventBus(), cache: new MemoryCache(clock), coordinator: new MemoryCoordinator({ clock }) };
}

/**
 * createBackends opens what the configured mode needs: memory for `dev`, PGlite in the data
 * directory for `embedded`, PostgreSQL + Redis + etcd for `production`. A configured backend that
 * cannot be reached is an Unavailable error naming it and its address; there is no fallback.
 */
export async function createBackends(config: Config, logger: Logger): Promise<Backends> {
  const clock = systemClock;
  const ids = uuidV7Generator();
  if (config.mode === "dev") {
    const m = createMemoryAdapters({ clock, ids });
    return {
      mode: "dev",
      repos: m.repositories,
      uow: m.unitOfWork,
      events: m.eventBus,
      cache: m.cache,
      coordinator: m.coordinator,
      clock,
      ids,
      components: [{ name: "database", address: "memory", check: async () => "in-memory (nothing persists)" }],
      modules: [{ name: "@limiquantix/repo-memory", load: (b) => bindMemoryAdapters(b, m) }],
      close: () => m.close(),
    };
  }
  let store: PostgresStore;
  if (config.mode === "embedded") {
    const dir = resolve(config.dataDir, "db");
    mkdirSync(dir, { recursive: true });
    store = await createPgliteStore({ dataDir: dir, migrate: config.database.migrateOnStart, clock });
    const local = inProcess(clock);
    logger.info({ dataDir: dir }, "embedded database (PGlite) opened");
    return {
      mode: "embedded",
      repos: store.repos,
      uow: store.uow,
      ...local,
      clock,
      ids,
      components: [{ name: "database", address: `pglite:${dir}`, check: async () => {
          await store.ping();
          return "ok";
        } }],
      modules: [{ name: "@limiquantix/repo-postgres (PGlite)", load: (b) => bindPostgresAdapters(b, store) }, inProcessModule(local)],
      async close() {
        await local.coordinator.close();
        await local.events.close();
        await store.close();
      },
    };
  }
  const url = config.database.url!;
  const pool = config.database.pool;
  store = await attempt("PostgreSQL", hostOf(url), () =>
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
      clock,
    }),
  );
  const redisUrl = config.redis.url!;
  const redis = await attempt("Redis", redactUrl(redisUrl), () =>
    createRedisAdapters({ url: redisUrl, keyPrefix: config.redis.keyPrefix, cacheOnOutage: "miss" }),
  ).catch(async (e: unknown) => {
    await store.close();
    throw e;
  });
  const etcdAddress = config.etcd.endpoints.join(",");
  const coordinator = await attempt("etcd", etcdAddress, () =>
    createEtcdCoordinator({
      endpoints: config.etcd.endpoints,
      electionPrefix: `${config.etcd.prefix}/elections/`,
      lockPrefix: `${config.etcd.prefix}/locks/`,
      nodePrefix: `${config.etcd.prefix}/nodes/`,
      leaseTtlMs: config.etcd.leaseTtlSec * 1000,
    }),
  ).catch(async (e: unknown) => {
    await redis.close();
    await store.close();
    throw e;
  });
  return {
    mode: "production",
    repos: store.repos,
    uow: store.uow,
    events: redis.eventBus,
    cache: redis.cache,
    coordinator,
    clock,
    ids,
    components: [
      { name: "database", address: hostOf(url), check: async () => {
          await store.ping();
          return "ok";
        } },
      { name: "redis", address: redactUrl(redisUrl), check: async () => {
          await redis.check();
          return "ok";
        } },
      { name: "etcd", address: etcdAddress, check: async () => {
          await coordinator.leader("limiquantix-controllers");
          return "ok";
        } },
    ],
    ...(store.db.poolStats ? { poolStats: store.db.poolStats } : {}),
    modules: [
      { name: "@limiquantix/repo-postgres", load: (b) => bindPostgresAdapters(b, store) },
      { name: "@limiquantix/cache-redis", load: (b) => bindRedisAdapters(b, redis) },
      { name: "@limiquantix/coordination-etcd", load: (b) => bindEtcdCoordinator(b, coordinator) },
    ],
    async close() {
      await coordinator.close();
      await redis.close();
      await store.close();
    },
  };
}
