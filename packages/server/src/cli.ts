import { readFileSync } from "node:fs";
import { Command, InvalidArgumentError, Option } from "commander";
import { isDomainError } from "@limiquantix/domain";
import { type ConfigFlags, loadConfig } from "./config/load";
import { formatConfig } from "./config/print";
import { semiSpaceMib } from "./runtime/heap-flags";

export { relaunchWithHeapFlags } from "./runtime/heap-flags";

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

function int(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(
        `${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`,
      );
    return n;
  };
}

function withServerOptions(cmd: Command): Command {
  return cmd
    .option("--config <file>", "YAML configuration file (also LQX_CONFIG)")
    .option("--host <host>", "address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)")
    .option("--port <port>", "port to listen on (default 8080)", int("--port", 0, 65535))
    .option("--data-dir <dir>", "where embedded mode keeps its data (default ./.limiquantix)")
    .option("--dev", "keep everything in memory (nothing persists)")
    .addOption(
      new Option("--mode <mode>", "embedded, dev or production").choices(["embedded", "dev", "production"]),
    )
    .option(
      "--sim-nodes <n>",
      "simulated hypervisor nodes to start (default 3; 0 for none)",
      int("--sim-nodes", 0, 64),
    )
    .addOption(
      new Option("--log-level <level>", "log level").choices([
        "trace",
        "debug",
        "info",
        "warn",
        "error",
        "fatal",
        "silent",
      ]),
    );
}

function flagsOf(opts: Record<string, unknown>): ConfigFlags {
  const pick = <K extends keyof ConfigFlags>(k: K, v: unknown) => (v === undefined ? {} : { [k]: v });
  return {
    ...pick("config", opts.config),
    ...pick("host", opts.host),
    ...pick("port", opts.port),
    ...pick("dataDir", opts.dataDir),
    ...pick("dev", opts.dev),
    ...pick("mode", opts.mode),
    ...pick("simNodes", opts.simNodes),
    ...pick("logLevel", opts.logLevel),
  } as ConfigFlags;
}

function fail(e: unknown, code: number): never {
  const message = isDomainError(e) ? e.message : e instanceof Error ? e.message : String(e);
  process.stderr.write(`limiquantix-server: ${message}\n`);
  process.exit(code);
}

async function serve(flags: ConfigFlags): Promise<void> {
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig(flags);
  } catch (e) {
    fail(e, 2);
  }
  const { config } = loaded;
  // The server and its drivers load only when it runs: `--version` and `config print` stay quick.
  const [{ createLogger }, { startServer }, { banner }] = await Promise.all([
    import("./observability/logger"),
    import("./runtime/server"),
    import("./runtime/banner"),
  ]);
  const logger = createLogger(config.logging);
  for (const name of loaded.unknownEnv)
    logger.warn({ variable: name }, "environment variable names no configuration key; ignored");
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(config, { logger, version: version() });
  } catch (e) {
    logger.flush?.();
    fail(e, 1);
  }
  // Standard output carries only the JSON log lines; what a person reads goes to standard error.
  process.stderr.write(banner(server));
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down: draining in-flight calls");
    const hardStop = setTimeout(
      () => {
        logger.error("shutdown took too long; exiting");
        process.exit(1);
      },
      (config.server.shutdownTimeoutSec + 10) * 1000,
    );
    hardStop.unref();
    server.stop().then(
      () => {
        logger.info("stopped");
        process.exit(0);
      },
      (e: unknown) => {
        logger.error({ err: e }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

/** main parses the command line and runs the server or a sub-command. */
export async function main(argv: readonly string[] = process.argv): Promise<void> {
  const program = withServerOptions(new Command("limiquantix-server"))
    .enablePositionalOptions()
    .description("The LimiQuantix reference control plane")
    .version(version())
    .action(async (opts: Record<string, unknown>) => serve(flagsOf(opts)));
  program
    .command("version")
    .description("print the server's version, the Node.js it runs on and its young-generation size")
    .action(() => {
      const semiSpace = semiSpaceMib();
      process.stdout.write(
        `limiquantix-server ${version()} (Node.js ${process.version}, V8 semi-space ${semiSpace === undefined ? "Node's default" : `${semiSpace} MiB`})\n`,
      );
    });
  const config = program.command("config").description("inspect the configuration");
  withServerOptions(config.command("print"))
    .description("print the effective configuration (file, environment and flags) with secrets masked")
    .addOption(new Option("-o, --output <format>", "output format").choices(["yaml", "json"]).default("yaml"))
    .action((opts: Record<string, unknown>) => {
      try {
        process.stdout.write(
          formatConfig(loadConfig(flagsOf(opts)).config, opts.output === "json" ? "json" : "yaml"),
        );
      } catch (e) {
        fail(e, 2);
      }
    });
  // `pnpm start -- --dev` hands the `--` through; it separates nothing here.
  const args = argv[2] === "--" ? [...argv.slice(0, 2), ...argv.slice(3)] : [...argv];
  await program.parseAsync(args);
}
