// Child processes of the consumer check: run, must, a pnpm on PATH, bounded concurrency.
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

/** root is the workspace the check runs from. */
export const root = fileURLToPath(new URL("../..", import.meta.url));

/** bin is the path of a tool installed in the workspace's node_modules/.bin. */
export const bin = (name: string): string => join(root, "node_modules", ".bin", name);

/** RunResult is how a command ended: its exit code, its stdout, and stdout and stderr together. */
export interface RunResult {
  readonly code: number | null;
  readonly output: string;
  readonly stdout: string;
}

/** RunOptions say where and how long a command runs. */
export interface RunOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
  /** How a failure names the command (default: the command line). */
  readonly label?: string;
}

/** run runs a command to its end and collects its output; it kills it after the timeout (default 5 min). */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? root,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
      output += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      output += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 300_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output, stdout });
    });
  });
}

/** must runs a command and fails with the end of its output unless it exits 0. */
export async function must(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    const label = options.label ?? `${basename(command)} ${args.join(" ")}`;
    throw new Error(`${label} exited with ${result.code}\n${tail(result.output)}`);
  }
  return result;
}

/** tail is the last lines of a command's output, for error messages. */
export function tail(text: string, lines = 40): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/**
 * pnpmOnPath returns PATH with a directory in front that holds a `pnpm` for turbo and `pnpm pack`:
 * the pnpm that runs this script (`pnpm test`), or pnpm 10 through npx.
 */
export function pnpmOnPath(dir: string): string {
  const execPath = process.env.npm_execpath;
  const target =
    execPath && basename(execPath).startsWith("pnpm")
      ? /\.[cm]?js$/.test(execPath)
        ? `"${process.execPath}" "${execPath}"`
        : `"${execPath}"`
      : "npx -y pnpm@10";
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "pnpm"), `#!/bin/sh\nexec ${target} "$@"\n`, { mode: 0o755 });
  return `${dir}${delimiter}${process.env.PATH ?? ""}`;
}

/** mapLimit maps items with at most `limit` calls in flight, keeping their order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
