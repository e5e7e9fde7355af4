import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { testConfig } from "../testing/server-config";
import { createBackends } from "./backends";

const loaded = () => Object.keys(createRequire(import.meta.url).cache);
const driver = (name: string) =>
  new RegExp(`node_modules[/\\\\](\\.pnpm[/\\\\][^/\\\\]+[/\\\\]node_modules[/\\\\])?${name}[/\\\\]`);

describe("createBackends", () => {
  it("opens embedded mode without loading the PostgreSQL, Redis or etcd drivers", async () => {
    // No test kit here: it loads pg itself.
    const dir = await mkdtemp(join(tmpdir(), "lqx-backends-"));
    const backends = await createBackends(
      testConfig({ mode: "embedded", dataDir: dir }),
      pino({ level: "silent" }),
    );
    try {
      expect(backends.mode).toBe("embedded");
      const modules = loaded();
      for (const name of ["pg", "ioredis", "etcd3"])
        expect(
          modules.filter((m) => driver(name).test(m)),
          name,
        ).toEqual([]);
    } finally {
      await backends.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
