// The CPU time PostgreSQL's processes have used on this machine, read from /proc (Linux only):
// the server processes' user and system time, plus what the postmaster's exited children used.
// The create bench takes it before and after a cell, for the database's CPU per create beside
// the server's and the callers'.
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100;

/** databaseCpuMs is the CPU time of every process named `postgres`, in ms, or undefined where /proc is not there. */
export function databaseCpuMs(): number | undefined {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  let ticks = 0;
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    } catch {
      continue; // gone meanwhile
    }
    const open = stat.indexOf("(");
    const close = stat.lastIndexOf(")");
    if (stat.slice(open + 1, close) !== "postgres") continue;
    // Fields after the command: state is 3rd overall; utime 14, stime 15, cutime 16, cstime 17.
    const f = stat.slice(close + 2).split(" ");
    ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  }
  return (ticks / TICKS_PER_SECOND) * 1000;
}
