import { Command, CommanderError, Option } from "commander";
import { registerAuthCommands } from "./commands/auth-commands";
import { registerCompletionCommands } from "./commands/completion-command";
import { registerDrsAndAlertCommands } from "./commands/drs-alert-commands";
import { registerEventsCommand } from "./commands/events-command";
import { registerGetCommand } from "./commands/get-command";
import { registerNodeCommands } from "./commands/node-commands";
import { registerObjectCommands } from "./commands/object-commands";
import { registerVmCommands } from "./commands/vm-commands";
import { describeFailure } from "./errors";
import { ExitCode } from "./exit-codes";
import { processTerminal, type Terminal } from "./io";
import { examples, Runtime } from "./runtime";
import packageJson from "../package.json";

/** VERSION is the version of @limiquantix/cli. */
export const VERSION: string = packageJson.version;

const EXIT_CODES_HELP = `
Exit codes:
  0    success
  1    failure not described below
  2    wrong command line or input file, or an argument the server refused (invalid_argument)
  3    not signed in, session ended, or not allowed (unauthenticated, permission_denied)
  4    not found
  5    conflict: already exists, changed meanwhile, failed precondition, a failed migration or drain
  6    server unreachable or busy (unavailable, deadline_exceeded, resource_exhausted)
  130  interrupted

Environment:
  LIMIQCTL_SERVER   the server, instead of the current context's
  LIMIQCTL_TOKEN    a token (a service account's), instead of the context's credentials
  LIMIQCTL_CONFIG   the configuration file (default ~/.config/limiqctl/config.yaml)
  NO_COLOR          no colour (colour is also off when the output is not a terminal)
`;

/** createProgram builds the limiqctl command tree over a terminal (the process's, or a test's). */
export function createProgram(terminal: Terminal = processTerminal()): Command {
  return buildProgram(terminal).program;
}

/** buildProgram builds the command tree and the runtime its actions share. */
function buildProgram(terminal: Terminal): { program: Command; runtime: Runtime } {
  const program = new Command("limiqctl");
  const runtime = new Runtime(terminal, program);
  program
    .description(
      "limiqctl operates a LimiQuantix control plane: VMs, nodes, storage, networks, access, DRS and alerts.",
    )
    .version(VERSION, "-v, --version", "print the version")
    .addOption(new Option("-s, --server <url>", "the server (default: the current context's)"))
    .addOption(new Option("--token <token>", "a bearer token (a service account's) for this run"))
    .addOption(new Option("--context <name>", "the context of the configuration file to use"))
    .option("--no-color", "no colour in the output")
    .configureOutput({
      writeOut: (s) => terminal.stdout.write(s),
      writeErr: (s) => terminal.stderr.write(s),
    })
    .showHelpAfterError("(add --help for usage)")
    .exitOverride()
    .addHelpText("after", EXIT_CODES_HELP);
  examples(program, [
    "limiqctl login --server http://127.0.0.1:8080 -u admin",
    "limiqctl get vms -o wide",
    "limiqctl vm start web --wait",
    "limiqctl node drain node-1",
  ]);
  registerAuthCommands(program, runtime);
  registerGetCommand(program, runtime);
  registerObjectCommands(program, runtime);
  registerVmCommands(program, runtime);
  registerNodeCommands(program, runtime);
  registerDrsAndAlertCommands(program, runtime);
  registerEventsCommand(program, runtime);
  registerCompletionCommands(program, runtime);
  return { program, runtime };
}

/**
 * run runs limiqctl with the given arguments (without `node` and the script) and resolves with its
 * exit code: errors are printed to the terminal's standard error, never thrown.
 */
export async function run(args: readonly string[], terminal: Terminal = processTerminal()): Promise<number> {
  const { program, runtime } = buildProgram(terminal);
  const onInterrupt = () => runtime.interrupt();
  process.once("SIGINT", onInterrupt);
  const interrupted = new Promise<"interrupted">((resolve) =>
    runtime.signal.addEventListener("abort", () => resolve("interrupted"), { once: true }),
  );
  try {
    const parsing = program.parseAsync([...args], { from: "user" });
    // Ctrl-C ends the run at once, whatever call is pending; it ends a watch or a follow
    // (`get --watch`, `events -f`) normally.
    const outcome = await Promise.race([parsing.then(() => "done" as const), interrupted]);
    if (outcome === "interrupted") {
      parsing.catch(() => undefined);
      return runtime.interruptEndsCleanly ? ExitCode.OK : ExitCode.INTERRUPTED;
    }
    return ExitCode.OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message (or the help, or the version) already.
      if (
        error.code === "commander.helpDisplayed" ||
        error.code === "commander.version" ||
        error.exitCode === 0
      )
        return ExitCode.OK;
      return ExitCode.USAGE;
    }
    if (runtime.signal.aborted) return runtime.interruptEndsCleanly ? ExitCode.OK : ExitCode.INTERRUPTED;
    const failure = describeFailure(error);
    const c = runtime.errColors();
    terminal.stderr.write(`${c.red("error:")} ${failure.message}\n`);
    for (const line of failure.details) terminal.stderr.write(`  - ${line}\n`);
    return failure.exitCode;
  } finally {
    process.off("SIGINT", onInterrupt);
  }
}
