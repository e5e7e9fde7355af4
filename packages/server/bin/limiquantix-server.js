#!/usr/bin/env node
// Runs the built server; `pnpm build` produces dist/. It first starts itself again with the heap
// flags it lacks (LQX_SEMI_SPACE_MIB; an explicit --max-semi-space-size is honoured).
import("../dist/cli.js")
  .then((m) => {
    let relaunched;
    try {
      relaunched = m.relaunchWithHeapFlags();
    } catch (e) {
      process.stderr.write(`limiquantix-server: ${e.message}\n`);
      process.exit(2);
    }
    if (!relaunched) return m.main();
  })
  .catch((e) => {
    process.stderr.write(`limiquantix-server: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
