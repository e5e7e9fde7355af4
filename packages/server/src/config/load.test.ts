import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { envName } from "./env";
import { loadConfig } from "./load";
import { formatConfig } from "./print";

function yamlFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "lqx-config-"));
  const file = join(dir, "config.yaml");
  writeFileSync(file, text);
  return file;
}

describe("loadConfig", () => {
  it("gives the embedded defaults with no file, env or flags", () => {
    const { config } = loadConfig({}, {});
    expect(config.mode).toBe("embedded");
    expect(config.server.port).toBe(8080);
    expect(config.dataDir).toBe("./.limiquantix");
    expect(config.simulation.nodes).toBe(3);
    expect(config.scheduler.overcommit).toEqual({ cpu: 2, memory: 1.5 });
  });

  it("layers file < environment < flags", () => {
    const file = yamlFile("server:\n  port: 9000\n  host: 127.0.0.1\nlogging:\n  level: debug\n");
    const { config } = loadConfig(
      { config: file, port: 9100 },
      { LQX_SERVER_PORT: "9050", LQX_LOGGING_LEVEL: "warn" },
    );
    expect(config.server.port).toBe(9100);
    expect(config.server.host).toBe("127.0.0.1");
    expect(config.logging.level).toBe("warn");
  });

  it("rejects an unknown key in the file by name", () => {
    const file = yamlFile("server:\n  prot: 9000\n");
    expect(() => loadConfig({ config: file }, {})).toThrow("server.prot is not a known field");
  });

  it("rejects an invalid value naming the key, the rule and the source", () => {
    const file = yamlFile("drs:\n  migrationThreshold: 9\n");
    expect(() => loadConfig({ config: file }, {})).toThrow(
      /drs\.migrationThreshold must be at most 5 \(got 9\)/,
    );
    expect(() => loadConfig({}, { LQX_SERVER_PORT: "70000" })).toThrow(
      "server.port must be at most 65535 (got 70000) [from LQX_SERVER_PORT]",
    );
    expect(() => loadConfig({}, { LQX_HA_ENABLED: "maybe" })).toThrow(/ha\.enabled must be true or false/);
  });

  it("reports unknown LQX_ variables without failing, and ignores LQX_TEST_ ones", () => {
    const loaded = loadConfig(
      {},
      { LQX_SERVR_PORT: "1", LQX_TEST_DATABASE_URL: "x", LQX_SEMI_SPACE_MIB: "64" },
    );
    expect(loaded.unknownEnv).toEqual(["LQX_SERVR_PORT"]);
  });

  it("turns --dev into dev mode", () => {
    expect(loadConfig({ dev: true }, {}).config.mode).toBe("dev");
  });

  it("requires database, redis and etcd addresses in production mode", () => {
    expect(() => loadConfig({ mode: "production" }, {})).toThrow(
      /database\.url is required in production mode/,
    );
  });

  it("reads arrays from comma-separated environment values", () => {
    const { config } = loadConfig({}, { LQX_ETCD_ENDPOINTS: "http://a:2379, http://b:2379" });
    expect(config.etcd.endpoints).toEqual(["http://a:2379", "http://b:2379"]);
  });

  it("refuses a file that is not YAML or not a mapping", () => {
    expect(() => loadConfig({ config: yamlFile("server: [1, 2\n") }, {})).toThrow(/is not valid YAML/);
    expect(() => loadConfig({ config: yamlFile("- 1\n- 2\n") }, {})).toThrow(/must hold a YAML mapping/);
    expect(() => loadConfig({ config: "/nonexistent/lqx.yaml" }, {})).toThrow(/--config cannot be read/);
  });
});

describe("config print", () => {
  it("masks secrets, keeping the host of connection strings", () => {
    const { config } = loadConfig(
      {},
      {
        LQX_AUTH_JWT_SECRET: "s".repeat(40),
        LQX_DATABASE_URL: "postgres://admin:hunter2@db.example:5432/lqx",
      },
    );
    const text = formatConfig(config);
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("s".repeat(40));
    expect(text).toContain("postgres://****@db.example:5432/lqx");
  });

  it("names environment variables after the key path", () => {
    expect(envName(["server", "shutdownTimeoutSec"])).toBe("LQX_SERVER_SHUTDOWN_TIMEOUT_SEC");
  });
});

describe("conventional environment variables", () => {
  it("honours PORT and DATABASE_URL below their LQX_ names and flags", () => {
    const fromConventions = loadConfig(
      {},
      { PORT: "9090", DATABASE_URL: "postgres://db.example/lqx" },
    ).config;
    expect(fromConventions.server.port).toBe(9090);
    expect(fromConventions.database.url).toBe("postgres://db.example/lqx");
    expect(loadConfig({}, { PORT: "9090", LQX_SERVER_PORT: "9191" }).config.server.port).toBe(9191);
    expect(loadConfig({ port: 9292 }, { PORT: "9090" }).config.server.port).toBe(9292);
  });

  it("refuses a PORT that is not a port, naming the variable", () => {
    expect(() => loadConfig({}, { PORT: "eighty" })).toThrow(/server\.port .*\[from PORT\]/);
    expect(() => loadConfig({}, { PORT: "70000" })).toThrow(/server\.port .*\[from PORT\]/);
  });
});

describe("config print as JSON", () => {
  it("renders the same masked configuration as JSON", () => {
    const { config } = loadConfig({}, { LQX_DATABASE_URL: "postgres://admin:hunter2@db.example:5432/lqx" });
    const parsed = JSON.parse(formatConfig(config, "json")) as {
      database: { url: string };
      server: { host: string };
    };
    expect(parsed.database.url).toBe("postgres://****@db.example:5432/lqx");
    expect(parsed.server.host).toBe("127.0.0.1");
  });
});
