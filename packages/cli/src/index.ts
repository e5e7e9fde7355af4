// @limiquantix/cli: limiqctl, the operators' command-line client, and the pieces to run it from
// another program (run it with arguments, build its command tree, read its exit codes).
export { createProgram, run, VERSION } from "./program";
export { CliError, ExitCode, type ExitCodeValue, exitCodeOfConnectCode } from "./exit-codes";
export { describeFailure, type Failure } from "./errors";
export type { Terminal } from "./io";
export { type ConfigFile, type Context, configPath, readConfig } from "./session/config-store";
