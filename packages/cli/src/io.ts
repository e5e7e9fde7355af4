import type { Readable, Writable } from "node:stream";
import pc from "picocolors";

/** Terminal is where a command reads and writes: the process's streams and environment, or a test's. */
export interface Terminal {
  readonly stdin: Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** processTerminal is the Terminal of the running process. */
export function processTerminal(): Terminal {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** Colors are the styles limiqctl uses, each the identity when colour is off. */
export interface Colors {
  bold(text: string): string;
  dim(text: string): string;
  red(text: string): string;
  green(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

/**
 * colorsFor gives colour only to a terminal that shows it: the stream is a TTY, NO_COLOR is not
 * set (https://no-color.org), TERM is not `dumb`, and --no-color was not given.
 */
export function colorsFor(stream: { isTTY?: boolean }, env: Terminal["env"], noColorFlag: boolean): Colors {
  const on =
    !noColorFlag &&
    stream.isTTY === true &&
    (env.NO_COLOR === undefined || env.NO_COLOR === "") &&
    env.TERM !== "dumb";
  return pc.createColors(on);
}

/** visibleLength is the printed width of a string, without its colour escapes. */
export function visibleLength(text: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what is stripped
  return text.replace(/\u001b\[[0-9;]*m/g, "").length;
}
