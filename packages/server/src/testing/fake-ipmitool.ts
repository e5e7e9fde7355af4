import { chmod, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** FakeIpmitoolOptions shape how a fake BMC answers ipmitool. */
export interface FakeIpmitoolOptions {
  readonly password?: string;
  /** Whether `chassis power off` ever turns the chassis off (default true). */
  readonly powersOff?: boolean;
  /** How many status reads after power off still say on (default 1). */
  readonly offAfterReads?: number;
}

/** FakeIpmitool is an `ipmitool` stand-in in a directory: a script that keeps a chassis's power in a file. */
export interface FakeIpmitool {
  /** The script's path, for `ha.fencing.ipmi.ipmitoolPath`. */
  readonly path: string;
  /** power reads the chassis's power now. */
  power(): Promise<"on" | "off">;
  /** setPower sets it. */
  setPower(power: "on" | "off"): Promise<void>;
  /** calls are the runs so far: their arguments and whether IPMI_PASSWORD was set. */
  calls(): Promise<{ args: string[]; passwordSet: boolean }[]>;
}

/**
 * writeFakeIpmitool writes a fake ipmitool (a node script) into dir: it answers `chassis power
 * status` and `chassis power off` as a BMC would, refuses a wrong IPMI_PASSWORD as ipmitool does
 * (exit 1, "Unable to establish IPMI v2 / RMCP+ session"), and logs each run.
 */
export async function writeFakeIpmitool(
  dir: string,
  options: FakeIpmitoolOptions = {},
): Promise<FakeIpmitool> {
  const state = join(dir, "chassis.json");
  const log = join(dir, "calls.jsonl");
  const path = join(dir, "ipmitool");
  const settings = {
    state,
    log,
    password: options.password ?? "s3cret",
    powersOff: options.powersOff ?? true,
    offAfterReads: options.offAfterReads ?? 1,
  };
  await writeFile(state, JSON.stringify({ power: "on", pending: null }));
  await writeFile(log, "");
  await writeFile(
    path,
    `#!/usr/bin/env node
const fs = require("node:fs");
const s = ${JSON.stringify(settings)};
const args = process.argv.slice(2);
fs.appendFileSync(s.log, JSON.stringify({ args, passwordSet: process.env.IPMI_PASSWORD !== undefined }) + "\\n");
if (process.env.IPMI_PASSWORD !== s.password) {
  process.stderr.write("Error: Unable to establish IPMI v2 / RMCP+ session\\n");
  process.exit(1);
}
const st = JSON.parse(fs.readFileSync(s.state, "utf8"));
const cmd = args.slice(-3).join(" ");
if (cmd === "chassis power off") {
  if (s.powersOff) st.pending = s.offAfterReads;
  fs.writeFileSync(s.state, JSON.stringify(st));
  process.stdout.write("Chassis Power Control: Down/Off\\n");
} else if (cmd === "chassis power status") {
  if (st.pending !== null) {
    if (st.pending <= 0) { st.power = "off"; st.pending = null; } else st.pending -= 1;
    fs.writeFileSync(s.state, JSON.stringify(st));
  }
  process.stdout.write("Chassis Power is " + st.power + "\\n");
} else {
  process.stderr.write("unknown command " + cmd + "\\n");
  process.exit(1);
}
`,
  );
  await chmod(path, 0o755);
  return {
    path,
    async power() {
      return (JSON.parse(await readFile(state, "utf8")) as { power: "on" | "off" }).power;
    },
    async setPower(power) {
      await writeFile(state, JSON.stringify({ power, pending: null }));
    },
    async calls() {
      return (await readFile(log, "utf8"))
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as { args: string[]; passwordSet: boolean });
    },
  };
}
