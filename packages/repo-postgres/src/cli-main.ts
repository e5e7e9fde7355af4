// Entry of the limiquantix-migrate binary.
import { runCli } from "./cli";

void runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
