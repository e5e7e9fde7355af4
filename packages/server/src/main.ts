import { main, relaunchWithHeapFlags } from "./cli";

// Entry point for running from source: `tsx --conditions=limiquantix-source src/main.ts`.
// Like the binary, it first starts itself again with the heap flags it lacks.
try {
  if (!relaunchWithHeapFlags()) void main();
} catch (e) {
  process.stderr.write(`limiquantix-server: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
}
