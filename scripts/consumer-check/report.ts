// What the consumer check prints: one line per step, then the packages' sizes.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { installSize } from "./consumer-project";
import type { Packed } from "./packages";

/** StepReport is the outcome of one step. */
export interface StepReport {
  readonly name: string;
  readonly ms: number;
  readonly ok: boolean;
  readonly detail: string;
}

/** reports holds every step run so far. */
export const reports: StepReport[] = [];

/** step runs one check, prints its outcome and records it; a failed step throws only when `required`. */
export async function step(
  name: string,
  fn: () => Promise<string | undefined>,
  required = false,
): Promise<boolean> {
  const start = performance.now();
  try {
    const [summary = "", ...more] = ((await fn()) ?? "").split("\n");
    const ms = performance.now() - start;
    reports.push({ name, ms, ok: true, detail: summary });
    console.log(`  ✓ ${name.padEnd(42)} ${seconds(ms).padStart(10)}  ${summary}`);
    if (more.length > 0) console.log(indent(more.join("\n")));
    return true;
  } catch (error) {
    const ms = performance.now() - start;
    const detail = error instanceof Error ? error.message : String(error);
    reports.push({ name, ms, ok: false, detail });
    console.log(`  ✗ ${name.padEnd(42)} ${seconds(ms).padStart(10)}\n${indent(detail)}`);
    if (required) throw new Error(`${name} failed; the checks after it need it`);
    return false;
  }
}

/** indent sets text off under a step line. */
export function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `      ${line}`)
    .join("\n");
}

/** seconds formats a duration for people. */
export function seconds(ms: number): string {
  return ms < 60_000
    ? `${(ms / 1000).toFixed(1)} s`
    : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** size formats a byte count for people. */
export function size(bytes: number): string {
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** printSizes prints each package's packed and unpacked size, and the server's install size. */
export function printSizes(packed: readonly Packed[], project: string): void {
  if (packed.length === 0) return;
  console.log(
    `\n  ${"package".padEnd(32)} ${"version".padEnd(8)} ${"packed".padStart(9)} ${"unpacked".padStart(9)} ${"files".padStart(5)}`,
  );
  for (const p of packed) {
    console.log(
      `  ${p.pkg.name.padEnd(32)} ${p.pkg.version.padEnd(8)} ${size(p.packedBytes).padStart(9)} ${size(p.unpackedBytes).padStart(9)} ${String(p.files).padStart(5)}`,
    );
  }
  if (existsSync(join(project, "node_modules", "@limiquantix", "server"))) {
    const { bytes, packages } = installSize(project, "@limiquantix/server");
    console.log(
      `  @limiquantix/server install size: ${size(bytes)} (${packages} packages with its dependencies)\n`,
    );
  }
}
