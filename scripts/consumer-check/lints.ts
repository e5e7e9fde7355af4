// Lints of each tarball: publint and @arethetypeswrong/cli.
import { readFileSync } from "node:fs";
import { publint } from "publint";
import { formatMessage } from "publint/utils";
import type { Packed } from "./packages";
import { bin, must } from "./commands";

/** lintWithPublint lints a tarball; errors and warnings fail, suggestions are returned. */
export async function lintWithPublint(p: Packed): Promise<string> {
  const data = readFileSync(p.tarball);
  const tarball = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  const { messages, pkg } = await publint({ pack: { tarball }, level: "suggestion" });
  const serious = messages.filter((m) => m.type !== "suggestion");
  const text = messages.map(
    (m) => `${p.pkg.name}: ${m.type}: ${formatMessage(m, pkg, { color: false }) ?? m.code}`,
  );
  if (serious.length > 0) throw new Error(text.join("\n"));
  return text.join("\n");
}

/** lintWithAttw checks a tarball's types: dual entries for Node 16+ resolution, ESM-only entries as such. */
export async function lintWithAttw(p: Packed): Promise<void> {
  // node10 resolution predates `exports` and cannot reach subpaths; the packages need Node 20.
  const common = [p.tarball, "--no-definitely-typed", "--format", "ascii", "--no-color"];
  const esmOnly = p.entries.filter((e) => !e.cjs).map((e) => `.${e.specifier.slice(p.pkg.name.length)}`);
  const dual = esmOnly.length > 0 ? ["--exclude-entrypoints", ...esmOnly] : [];
  await must(bin("attw"), [...common, "--profile", "node16", ...dual]);
  if (esmOnly.length > 0)
    await must(bin("attw"), [...common, "--profile", "esm-only", "--entrypoints", ...esmOnly]);
}
