/**
 * test-summary prints, after every package's tests ran, each failed test with the first lines of
 * its error, from the JSON reports the vitest runs left in `.test-results/`, so the end of a long
 * CI log names what failed. It exits 0: the test run's own exit code is the verdict.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

interface AssertionResult {
  readonly fullName: string;
  readonly status: string;
  readonly failureMessages?: readonly string[];
}
interface FileResult {
  readonly name: string;
  readonly status: string;
  readonly message?: string;
  readonly assertionResults?: readonly AssertionResult[];
}
interface Report {
  readonly numFailedTests?: number;
  readonly testResults?: readonly FileResult[];
}

const dir = join(import.meta.dirname, "..", ".test-results");
let files: string[] = [];
try {
  files = readdirSync(dir).filter((f) => f.endsWith(".json"));
} catch {
  console.log("test summary: no reports in .test-results");
}
let failed = 0;
for (const f of files.sort()) {
  let report: Report;
  try {
    report = JSON.parse(readFileSync(join(dir, f), "utf8")) as Report;
  } catch (e) {
    console.log(`test summary: ${f} is not readable (${String(e)})`);
    continue;
  }
  for (const file of report.testResults ?? []) {
    const bad = (file.assertionResults ?? []).filter((a) => a.status === "failed");
    if (file.status === "failed" && bad.length === 0) {
      failed++;
      console.log(`FAILED ${file.name}\n  ${(file.message ?? "").split("\n").slice(0, 12).join("\n  ")}`);
    }
    for (const a of bad) {
      failed++;
      const msg = (a.failureMessages ?? []).join("\n").split("\n").slice(0, 12).join("\n  ");
      console.log(`FAILED ${file.name} > ${a.fullName}\n  ${msg}`);
    }
  }
}
console.log(`test summary: ${files.length} package report(s), ${failed} failed test(s)`);
