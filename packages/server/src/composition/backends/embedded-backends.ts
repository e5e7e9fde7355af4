import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { systemClock, uuidV7Generator } from "@limiquantix/domain";
import { bindPostgresAdapters, createPgliteStore } from "@limiquantix/repo-postgres";
import type { Logger } from "pino";
import type { Config } from "../../config/schema";
import type { Backends } from "../backends";
import { openInProcess } from "./in-process";
import { memoryIdentity } from "./memory-identity";
import { portModule } from "./port-module";

/** openEmbeddedBackends opens PGlite in the data directory, with in-process events, cache and coordination (one replica). */
export async function openEmbeddedBackends(config: Config, logger: Logger): Promise<Backends> {
  const clock = systemClock;
  const dir = resolve(config.dataDir, "db");
  mkdirSync(dir, { recursive: true });
  const store = await createPgliteStore({
    dataDir: dir,
    migrate: config.database.migrateOnStart,
    clock,
    unitOfWork: { maxGroup: config.database.maxGroupCommit },
  });
  const local = openInProcess(clock, uuidV7Generator());
  logger.info({ dataDir: dir }, "embedded database (PGlite) opened");
  return {
    mode: "embedded",
    components: [
      {
        name: "database",
        address: `pglite:${dir}`,
        check: async () => {
          await store.ping();
          return "ok";
        },
      },
    ],
    modules: [portModule((b) => bindPostgresAdapters(b, store)), local.module],
    // Sessions persist in the database; login limits are this one replica's, in memory.
    identity: {
      ...memoryIdentity(clock),
      sessions: store.sessions,
      purgeEnded: () => store.sessions.purge(86_400_000),
    },
    async close() {
      await local.close();
      await store.close();
    },
  };
}
