#!/usr/bin/env node
// Runs the built CLI; `pnpm build` produces dist/.
import("../dist/cli.js")
  .then((m) => m.main())
  .catch((e) => {
    process.stderr.write(`limiqctl: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
