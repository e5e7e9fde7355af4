// The end-to-end test kit: a real control plane in the test's process (dev mode, simulated nodes,
// a random port), and limiqctl run from source as a child process with its own configuration file.
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigSchema, createLogger, type RunningServer, startServer } from "@limiquantix/server";

const packageDir = fileURLToPath(new URL("../..", import.meta.url));
const tsx = createRequire(import.meta.url).resolve("tsx");
const BIN = ["--import", tsx, "--conditions=limiquantix-source", join(packageDir, "src", "bin.ts")];

/** CliResult is how a limiqctl run ended and what it printed. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** RunOptions feed a run standard input and extra environment. */
export interface RunOptions {
  readonly input?: string;
  readonly env?: Readonly<Record<string, string>>;
}

/** shellQuote quotes a word for sh -c. */
function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Streamed is a running child whose output is collected and can be waited on. */
export class Streamed {
  stdout = "";
  stderr = "";
  readonly exited: Promise<number | null>;
  private readonly waiters: (() => void)[] = [];

  constructor(readonly child: ChildProcess) {
    child.stdout?.on("data", (d: Buffer) => {
      this.stdout += d.toString("utf8");
      for (const w of this.waiters.splice(0)) w();
    });
    child.stderr?.on("data", (d: Buffer) => {
      this.stderr += d.toString("utf8");
      for (const w of this.waiters.splice(0)) w();
    });
    this.exited = new Promise((resolve) => child.once("close", (code) => resolve(code)));
  }

  /** waitFor resolves once the output (stdout and stderr) matches, or fails after timeoutMs. */
  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.stdout + this.stderr)) {
      if (this.child.exitCode !== null)
        throw new Error(`exited ${this.child.exitCode} before ${pattern}:\n${this.stdout}\n${this.stderr}`);
      if (Date.now() > deadline)
        throw new Error(`no ${pattern} within ${timeoutMs} ms:\n${this.stdout}\n${this.stderr}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 250).unref();
      });
    }
  }

  write(text: string): void {
    this.child.stdin?.write(text);
  }
}

/**
 * CliHarness holds one started server and a temporary home for limiqctl's configuration; tests in
 * a file share it. Every run gets LIMIQCTL_CONFIG pointing into that home, and never the
 * LIMIQCTL_SERVER / LIMIQCTL_TOKEN of the surrounding environment unless given.
 */
export class CliHarness {
  private constructor(
    readonly server: RunningServer,
    readonly home: string,
    readonly password: string,
  ) {}

  /**
   * start starts a dev-mode server with `nodes` simulated nodes that boot at once; alert rules are
   * evaluated every `alertIntervalSec` seconds (the server's default when not given).
   */
  static async start(nodes = 3, alertIntervalSec?: number): Promise<CliHarness> {
    const config = ConfigSchema.parse({
      mode: "dev",
      server: { host: "127.0.0.1", port: 0 },
      simulation: { nodes, bootDelayMs: 50, heartbeatIntervalSec: 1 },
      // Nodes created by hand have no agent beating for them: a 90 s failure window, not 3 s, keeps
      // them READY through a test (and a busy test machine never gets a live node fenced).
      ha: { checkIntervalSec: 30 },
      logging: { level: "silent", format: "json" },
      ...(alertIntervalSec ? { alerts: { evaluationIntervalSec: alertIntervalSec } } : {}),
    });
    const server = await startServer(config, { logger: createLogger(config.logging), version: "test" });
    const password = process.env.LQX_BOOTSTRAP_ADMIN_PASSWORD || server.bootstrap?.generatedPassword;
    if (!password) throw new Error("the server created no admin password");
    return new CliHarness(server, mkdtempSync(join(tmpdir(), "limiqctl-test-")), password);
  }

  get url(): string {
    return this.server.url;
  }

  /** configFile is the configuration file runs use (unless their env names another). */
  get configFile(): string {
    return join(this.home, "config.yaml");
  }

  env(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: this.home, LIMIQCTL_CONFIG: this.configFile };
    for (const key of ["LIMIQCTL_SERVER", "LIMIQCTL_TOKEN", "FORCE_COLOR", "NO_COLOR"]) delete env[key];
    return { ...env, ...extra };
  }

  /** run runs limiqctl to its end. */
  run(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
    const streamed = this.spawn(args, options.env);
    streamed.child.stdin?.end(options.input ?? "");
    return streamed.exited.then((code) => ({ code, stdout: streamed.stdout, stderr: streamed.stderr }));
  }

  /** ok runs limiqctl and fails the test with its output unless it exits 0. */
  async ok(args: readonly string[], options: RunOptions = {}): Promise<string> {
    const result = await this.run(args, options);
    if (result.code !== 0)
      throw new Error(
        `limiqctl ${args.join(" ")} exited ${result.code}:\n${result.stdout}\n${result.stderr}`,
      );
    return result.stdout;
  }

  /** json runs limiqctl with -o json and parses what it printed. */
  async json<T = Record<string, unknown>>(args: readonly string[]): Promise<T> {
    return JSON.parse(await this.ok([...args, "-o", "json"])) as T;
  }

  /** spawn starts limiqctl and leaves it running (watches, follows). */
  spawn(args: readonly string[], env: Readonly<Record<string, string>> = {}): Streamed {
    return new Streamed(
      spawn(process.execPath, [...BIN, ...args], { cwd: packageDir, env: this.env(env), stdio: "pipe" }),
    );
  }

  /**
   * pty starts limiqctl in a pseudo-terminal (util-linux `script`), so it sees a TTY on standard
   * input and output: what is written goes to it as keystrokes, and everything the terminal shows
   * (echo included) comes back on stdout.
   */
  pty(args: readonly string[], env: Readonly<Record<string, string>> = {}): Streamed {
    const command = [process.execPath, ...BIN, ...args].map(shellQuote).join(" ");
    return new Streamed(
      spawn("script", ["-qfec", command, "/dev/null"], {
        cwd: packageDir,
        env: { ...this.env(env), TERM: "xterm", COLUMNS: "120", LINES: "40" },
        stdio: "pipe",
      }),
    );
  }

  /** shell runs a bash script with a `limiqctl` command on the PATH (for the completion scripts). */
  async shell(script: string): Promise<CliResult> {
    const bin = join(this.home, "bin");
    mkdirSync(bin, { recursive: true });
    const wrapper = join(bin, "limiqctl");
    writeFileSync(wrapper, `#!/bin/sh\nexec ${[process.execPath, ...BIN].map(shellQuote).join(" ")} "$@"\n`);
    chmodSync(wrapper, 0o755);
    const child = new Streamed(
      spawn("bash", ["-c", script], {
        cwd: this.home,
        env: this.env({ PATH: `${bin}:${process.env.PATH ?? ""}` }),
        stdio: "pipe",
      }),
    );
    child.child.stdin?.end();
    return child.exited.then((code) => ({ code, stdout: child.stdout, stderr: child.stderr }));
  }

  /** login signs limiqctl in as admin. */
  async login(): Promise<void> {
    await this.ok(["login", "--server", this.url, "-u", "admin", "--password-stdin"], {
      input: `${this.password}\n`,
    });
  }

  async stop(): Promise<void> {
    await this.server.stop();
    rmSync(this.home, { recursive: true, force: true });
  }
}
