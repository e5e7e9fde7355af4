import { createSpinner } from "nanospinner";
import type { Colors, Terminal } from "../io";

/** Progress shows that a long operation is under way: a spinner on a terminal, a few plain lines elsewhere. */
export interface Progress {
  /** update replaces the spinner's text (on a terminal only: logs get no line per update). */
  update(text: string): void;
  /** note prints a line that stays (each VM moved by a drain, say). */
  note(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
  /** stop removes the spinner without a final line. */
  stop(): void;
}

/** startProgress starts showing progress on standard error. */
export function startProgress(terminal: Terminal, colors: Colors, text: string): Progress {
  const stream = terminal.stderr;
  if (stream.isTTY === true) {
    const spinner = createSpinner(text, { stream: stream as NodeJS.WriteStream }).start();
    return {
      update: (t) => {
        spinner.update({ text: t });
      },
      note: (t) => {
        spinner.clear();
        stream.write(`${t}\n`);
        spinner.render();
      },
      succeed: (t) => {
        spinner.success({ text: t });
      },
      fail: (t) => {
        spinner.error({ text: t });
      },
      stop: () => {
        spinner.clear();
        spinner.stop();
      },
    };
  }
  stream.write(`${text}\n`);
  return {
    update: () => {},
    note: (t) => stream.write(`${t}\n`),
    succeed: (t) => stream.write(`${colors.green("✔")} ${t}\n`),
    fail: (t) => stream.write(`${colors.red("✖")} ${t}\n`),
    stop: () => {},
  };
}
