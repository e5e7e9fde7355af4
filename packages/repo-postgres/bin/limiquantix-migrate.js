#!/usr/bin/env node
// Starts the built CLI; a package installed without its dist (a workspace checkout) says so.
import("../dist/cli-main.js").catch((error) => {
  if (error && error.code === "ERR_MODULE_NOT_FOUND" && String(error.message).includes("cli-main")) {
    process.stderr.write(
      "limiquantix-migrate: the package is not built: run `pnpm --filter @limiquantix/repo-postgres build`\n",
    );
    process.exit(1);
  }
  throw error;
});
