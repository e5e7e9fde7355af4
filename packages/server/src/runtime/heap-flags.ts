import { spawn } from "node:child_process";

/** SEMI_SPACE_ENV names the variable that sets V8's semi-space size in MiB (`default`: Node's own). */
export const SEMI_SPACE_ENV = "LQX_SEMI_SPACE_MIB";
/**
 * DEFAULT_SEMI_SPACE_MIB is the semi-space size the server starts with: its calls allocate much
 * short-lived garbage (decoded and encoded messages), and 64 MiB semi-spaces scavenge it less often
 * than Node's 16 MiB, for 6–15 % less CPU per GetVM and CreateVM (bench/heap.bench.ts).
 */
export const DEFAULT_SEMI_SPACE_MIB = 64;

/** RELAUNCHED_ENV marks the child a parent that stays started (Node.js without process.execve). */
const RELAUNCHED_ENV = "LQX_RELAUNCHED_CHILD";

const FLAG = /^--max[-_]semi[-_]space[-_]size(?:=(\d+))?$/;

/** optionsOf splits NODE_OPTIONS into its options (quotes are not needed by the flags looked for). */
const optionsOf = (env: NodeJS.ProcessEnv): string[] => (env.NODE_OPTIONS ?? "").split(/\s+/).filter(Boolean);

/**
 * heapFlags are the V8 flags this process should have been started with and was not: the
 * semi-space size of SEMI_SPACE_ENV (default DEFAULT_SEMI_SPACE_MIB), unless the command line or
 * NODE_OPTIONS already sets one, which is then honoured as given.
 */
export function heapFlags(execArgv: readonly string[], env: NodeJS.ProcessEnv): string[] {
  if ([...execArgv, ...optionsOf(env)].some((a) => FLAG.test(a))) return [];
  const raw = env[SEMI_SPACE_ENV]?.trim() ?? "";
  if (raw === "default") return [];
  const mib = raw === "" ? DEFAULT_SEMI_SPACE_MIB : Number(raw);
  if (!Number.isInteger(mib) || mib < 1 || mib > 1024)
    throw new Error(
      `${SEMI_SPACE_ENV} must be a whole number of MiB from 1 to 1024, or "default" for Node's own (got ${JSON.stringify(raw)})`,
    );
  return [`--max-semi-space-size=${mib}`];
}

/**
 * semiSpaceMib is the semi-space size this process was started with, in MiB, or undefined when
 * it runs with Node's default; the command line wins over NODE_OPTIONS, as in Node.
 */
export function semiSpaceMib(
  execArgv: readonly string[] = process.execArgv,
  env: NodeJS.ProcessEnv = process.env,
): number | undefined {
  let mib: number | undefined;
  for (const a of [...optionsOf(env), ...execArgv]) {
    const m = FLAG.exec(a);
    if (m?.[1]) mib = Number(m[1]);
  }
  return mib;
}

/**
 * relaunchWithHeapFlags starts this program again with the heap flags it lacks (V8 sizes its
 * heap when the process starts, so they cannot be set later) and says whether it did: the caller
 * then does nothing more. Where Node can (process.execve) the program replaces this process;
 * else it runs as a child, which is sent the signals this process gets, whose exit this process
 * repeats, and which exits when this process is gone.
 */
export function relaunchWithHeapFlags(): boolean {
  if (process.env[RELAUNCHED_ENV] !== undefined) {
    delete process.env[RELAUNCHED_ENV];
    // Started by a parent that stays: end with it, as a parent killed by SIGKILL passes nothing on.
    if (process.channel) {
      process.channel.unref();
      process.on("disconnect", () => process.exit(1));
    }
    return false;
  }
  const flags = heapFlags(process.execArgv, process.env);
  if (flags.length === 0) return false;
  const args = [...process.execArgv, ...flags, ...process.argv.slice(1)];
  const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never })
    .execve;
  if (typeof execve === "function")
    execve.call(process, process.execPath, [process.execPath, ...args], process.env);
  const child = spawn(process.execPath, args, {
    stdio: ["inherit", "inherit", "inherit", "ipc"],
    env: { ...process.env, [RELAUNCHED_ENV]: "1" },
  });
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  for (const signal of signals) process.on(signal, () => child.kill(signal));
  child.on("error", (e) => {
    process.stderr.write(`limiquantix-server: cannot start with ${flags.join(" ")}: ${e.message}\n`);
    process.exit(1);
  });
  child.on("exit", (code, signal) => {
    if (signal === null) process.exit(code ?? 1);
    for (const s of signals) process.removeAllListeners(s);
    process.kill(process.pid, signal);
  });
  return true;
}
