// Runs the buf binary of the @bufbuild/buf npm package with a private cache, so neither a
// shared cache nor the network is touched.
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** PACKAGE_DIR is the root of @limiquantix/agent-client, where buf.yaml and buf.gen.yaml live. */
export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");

/** BUF_BIN is the buf executable installed from npm. */
export const BUF_BIN = join(PACKAGE_DIR, "node_modules", ".bin", "buf");

/** BufResult is the outcome of one buf run. */
export interface BufResult {
  readonly ok: boolean;
  readonly output: string;
}

/** runBuf runs buf with arguments in the package directory and returns whether it succeeded and what it printed. */
export function runBuf(args: readonly string[]): BufResult {
  const env = {
    ...process.env,
    BUF_CACHE_DIR: process.env.BUF_CACHE_DIR ?? mkdtempSync(join(tmpdir(), "buf-cache-")),
  };
  try {
    const output = execFileSync(BUF_BIN, args, { cwd: PACKAGE_DIR, env, encoding: "utf8", stdio: "pipe" });
    return { ok: true, output };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    return { ok: false, output: `${e.stdout ?? ""}${e.stderr ?? ""}` || e.message };
  }
}
