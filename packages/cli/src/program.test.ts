import { PassThrough } from "node:stream";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import type { Terminal } from "./io";
import { createProgram, run, VERSION } from "./program";

/** memoryTerminal is a Terminal whose output is kept in strings. */
function memoryTerminal(env: Record<string, string> = {}) {
  const out = { stdout: "", stderr: "" };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on("data", (d: Buffer) => {
    out.stdout += d.toString();
  });
  stderr.on("data", (d: Buffer) => {
    out.stderr += d.toString();
  });
  const terminal: Terminal = {
    stdin: new PassThrough(),
    stdout,
    stderr,
    env: { LIMIQCTL_CONFIG: "/nonexistent/c.yaml", ...env },
  };
  return { terminal, out };
}

function everyCommand(command: Command): Command[] {
  return [command, ...command.commands.flatMap(everyCommand)];
}

describe("the limiqctl program", () => {
  it("has --help with examples on every command", () => {
    const { terminal, out } = memoryTerminal();
    const program = createProgram(terminal);
    const visible = everyCommand(program).filter((c) => c.name() !== "__complete");
    expect(visible.length).toBeGreaterThan(40);
    for (const command of visible) {
      out.stdout = "";
      command.outputHelp();
      expect(out.stdout, command.name()).toMatch(
        /\nExamples:\n {2}limiqctl |\nExamples:\n {2}(source|echo|cat) /,
      );
    }
  });

  it("prints its version, and exits 2 on an unknown command or option", async () => {
    const a = memoryTerminal();
    expect(await run(["--version"], a.terminal)).toBe(0);
    expect(a.out.stdout).toBe(`${VERSION}\n`);
    const b = memoryTerminal();
    expect(await run(["frobnicate"], b.terminal)).toBe(2);
    expect(b.out.stderr).toContain("unknown command 'frobnicate'");
    const c = memoryTerminal();
    expect(await run(["get", "vms", "--colour"], c.terminal)).toBe(2);
    expect(c.out.stderr).toContain("unknown option '--colour'");
  });

  it("says how to sign in when no server is known (exit code 3)", async () => {
    const { terminal, out } = memoryTerminal();
    expect(await run(["get", "vms"], terminal)).toBe(3);
    expect(out.stderr).toBe(
      "error: no server: sign in with `limiqctl login --server URL`, or set LIMIQCTL_SERVER\n",
    );
  });

  it("refuses a server that is not a URL with exit code 2", async () => {
    const { terminal, out } = memoryTerminal({ LIMIQCTL_SERVER: "ftp://x", LIMIQCTL_TOKEN: "t" });
    expect(await run(["get", "vms"], terminal)).toBe(2);
    expect(out.stderr).toBe("error: --server must be an http:// or https:// URL (got ftp://x)\n");
  });
});
