import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildCli } from "./cli";

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string;
};

function run(args: string[]): Promise<{ out: string; code: string | undefined }> {
  let out = "";
  const write = (s: string): void => {
    out += s;
  };
  const cli = buildCli().exitOverride().configureOutput({ writeOut: write, writeErr: write });
  return cli.parseAsync(args, { from: "user" }).then(
    () => ({ out, code: undefined }),
    (error: { code?: string }) => ({ out, code: error.code }),
  );
}

describe("limiquantix-migrate", () => {
  it("prints the package version for --version and -V", async () => {
    expect(await run(["--version"])).toEqual({ out: `${version}\n`, code: "commander.version" });
    expect(await run(["-V"])).toEqual({ out: `${version}\n`, code: "commander.version" });
  });

  it("lists its commands in --help", async () => {
    const { out, code } = await run(["--help"]);
    expect(code).toBe("commander.helpDisplayed");
    for (const command of ["up", "down", "status", "force"]) expect(out).toContain(command);
  });
});
