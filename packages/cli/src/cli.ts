// The limiqctl binary's entry: bin/limiqctl.js loads the built copy of this file.
import { run } from "./program";

/** main runs limiqctl with the process's arguments and exits with its exit code. */
export async function main(): Promise<void> {
  const code = await run(process.argv.slice(2));
  // Open HTTP/2 sessions would keep the process alive a little longer: leave at once.
  process.exit(code);
}
