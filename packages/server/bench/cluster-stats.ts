// Small figures shared by the cluster benches: the spread of a set of durations, and the machine.
import { execFileSync } from "node:child_process";
import { arch, cpus, loadavg, platform, release } from "node:os";

/** Spread summarises a set of values: how many, the smallest, the median and the largest (2 decimals). */
export interface Spread {
  readonly n: number;
  readonly min: number | undefined;
  readonly p50: number | undefined;
  readonly max: number | undefined;
}

const r2 = (x: number) => Math.round(x * 100) / 100;

/** spread summarises values; an empty set has no min, median or max. */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { n: 0, min: undefined, p50: undefined, max: undefined };
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length / 2;
  const p50 = s.length % 2 === 1 ? s[Math.floor(mid)]! : (s[mid - 1]! + s[mid]!) / 2;
  return { n: s.length, min: r2(s[0]!), p50: r2(p50), max: r2(s.at(-1)!) };
}

/** fmt shows a value or a dash. */
export const fmt = (x: number | undefined, digits = 2) => (x === undefined ? "—" : x.toFixed(digits));

/** LoadSampler records the 1-minute load average once a second. */
export class LoadSampler {
  private readonly samples: number[] = [];
  private readonly timer = setInterval(() => this.samples.push(loadavg()[0]!), 1000);
  constructor() {
    this.timer.unref();
  }
  stop(): { min1Max: number; min1Mean: number } {
    clearInterval(this.timer);
    const s = this.samples.length > 0 ? this.samples : [loadavg()[0]!];
    return { min1Max: r2(Math.max(...s)), min1Mean: r2(s.reduce((a, b) => a + b, 0) / s.length) };
  }
}

/** loadNow is the 1, 5 and 15-minute load averages. */
export const loadNow = () => loadavg().map(r2) as [number, number, number];

/** machine describes where the bench ran. */
export function machine() {
  return {
    node: process.version,
    os: `${platform()} ${release()} ${arch()}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
  };
}

/** gitCommit is the short commit the bench ran at ("+changes" when the packages' files differ from it), or "unknown". */
export function gitCommit(): string {
  const git = (...args: string[]) =>
    execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  try {
    const dirty = git("status", "--porcelain", "--untracked-files=no", "--", "../../packages") !== "";
    return `${git("rev-parse", "--short", "HEAD")}${dirty ? "+changes" : ""}`;
  } catch {
    return "unknown";
  }
}
