import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const main = fileURLToPath(new URL("./main.ts", import.meta.url));
const cli = (...args: string[]) =>
  run(process.execPath, ["--import", "tsx", "--conditions=limiquantix-source", main, ...args], {
    // Node's own heap sizes: no second process per command (the relaunch has a test of its own).
    env: {
      ...process.env,
      LQX_DATABASE_URL: "postgres://admin:secret@db.example/lqx",
      LQX_SEMI_SPACE_MIB: "default",
    },
  });

describe("limiquantix-server", () => {
  it("prints its version with the version command and --version", async () => {
    const { stdout } = await cli("version");
    expect(stdout).toMatch(/^limiquantix-server \d+\.\d+\.\d+ \(Node\.js v\d+/);
    expect((await cli("--version")).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  }, 30_000);

  it("starts itself again with a 64 MiB semi-space, unless the command line or NODE_OPTIONS sets one", async () => {
    const env = { ...process.env, LQX_SEMI_SPACE_MIB: "", NODE_OPTIONS: "" };
    const relaunched = await run(
      process.execPath,
      ["--import", "tsx", "--conditions=limiquantix-source", main, "version"],
      { env },
    );
    expect(relaunched.stdout).toContain("V8 semi-space 64 MiB");
    const given = await run(
      process.execPath,
      ["--max-semi-space-size=8", "--import", "tsx", "--conditions=limiquantix-source", main, "version"],
      { env: { ...env, LQX_SEMI_SPACE_MIB: "64" } },
    );
    expect(given.stdout).toContain("V8 semi-space 8 MiB");
  }, 60_000);

  it("prints the configuration as YAML or JSON, secrets masked", async () => {
    const json = JSON.parse((await cli("config", "print", "-o", "json", "--port", "9001")).stdout) as {
      server: { port: number };
      database: { url: string };
    };
    expect(json.server.port).toBe(9001);
    expect(json.database.url).toBe("postgres://****@db.example/lqx");
    expect((await cli("config", "print")).stdout).toContain("port: 8080");
  }, 30_000);
});
