import { generateKeyPairSync } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  createTestDatabase,
  makeTempDir,
  type TestDatabase,
  testEtcd,
  testRedis,
} from "@limiquantix/testkit";
import { deepMerge } from "../config/load";
import type { Config, ConfigInput } from "../config/schema";
import { testConfig } from "./server-config";

/** ProductionSetup is what replicas in production mode share in a test: a database, Redis and etcd namespaces, and a signing key. */
export interface ProductionSetup {
  readonly db: TestDatabase;
  /** The configuration every replica starts with (its own port is chosen at start). */
  readonly config: Config;
  /** The same settings as `LQX_…` variables, for replicas started as processes. */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/**
 * productionSetup makes a private database on the test PostgreSQL, Redis and etcd namespaces named
 * after it, and an Ed25519 signing key every replica signs and verifies access tokens with.
 */
export async function productionSetup(name: string, overrides: ConfigInput = {}): Promise<ProductionSetup> {
  const db = await createTestDatabase();
  const redis = await testRedis();
  const etcd = await testEtcd();
  const keys = await makeTempDir(`${name}-keys`);
  const signingKeyFile = join(keys.path, "signing-key.pem");
  const { privateKey } = generateKeyPairSync("ed25519");
  await writeFile(signingKeyFile, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  const base: ConfigInput = {
    mode: "production",
    database: { url: db.url },
    redis: { url: redis.url, keyPrefix: `lqx-${db.name}:` },
    etcd: { endpoints: [...etcd.endpoints], prefix: `/lqx-${db.name}` },
    auth: { signingKeyFile },
  };
  return {
    db,
    config: testConfig(deepMerge(base as Record<string, unknown>, overrides as Record<string, unknown>)),
    env: {
      LQX_MODE: "production",
      LQX_DATABASE_URL: db.url,
      LQX_REDIS_URL: redis.url,
      LQX_REDIS_KEY_PREFIX: `lqx-${db.name}:`,
      LQX_ETCD_ENDPOINTS: etcd.endpoints.join(","),
      LQX_ETCD_PREFIX: `/lqx-${db.name}`,
      LQX_AUTH_SIGNING_KEY_FILE: signingKeyFile,
    },
    async close() {
      await db.drop();
      await keys.remove();
    },
  };
}
