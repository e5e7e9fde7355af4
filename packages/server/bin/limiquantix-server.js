#!/usr/bin/env node
// Runs the built server; `pnpm build` produces dist/.
import("../dist/cli.js")
  .then((m) => m.main())
  .catch((e) => {
    process.stderr.write(`limiquantix-server: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
