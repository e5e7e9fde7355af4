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

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const FRAME_MS = 80;

/**
 * startProgress starts showing progress on standard error. On a terminal it redraws one line in
 * place (cut to the terminal's width, so it never wraps); elsewhere it prints the first and the
 * last line only, so logs stay short.
 */
export function startProgress(terminal: Terminal, colors: Colors, text: string): Progress {
  const stream = terminal.stderr as Terminal["stderr"] & { columns?: number };
  let current = text;
  if (stream.isTTY === true) {
    let frame = 0;
    const width = () => Math.max(20, (stream.columns || 80) - 1);
    const draw = () => {
      const line = `${FRAMES[frame % FRAMES.length]} ${current}`;
      stream.write(`\r\u001b[2K${colors.cyan(line.slice(0, width()))}`);
    };
    const clear = () => stream.write("\r\u001b[2K");
    draw();
    const timer = setInterval(() => {
      frame++;
      draw();
    }, FRAME_MS);
    timer.unref();
    const end = (line?: string) => {
      clearInterval(timer);
      clear();
      if (line) stream.write(`${line}\n`);
    };
    return {
      update: (t) => {
        current = t;
        draw();
      },
      note: (t) => {
        clear();
        stream.write(`${t}\n`);
        draw();
      },
      succeed: (t) => end(`${colors.green("✔")} ${t}`),
      fail: (t) => end(`${colors.red("✖")} ${t}`),
      stop: () => end(),
    };
  }
  stream.write(`${text}\n`);
  return {
    update: (t) => {
      current = t;
    },
    note: (t) => stream.write(`${t}\n`),
    succeed: (t) => stream.write(`${colors.green("✔")} ${t}\n`),
    fail: (t) => stream.write(`${colors.red("✖")} ${t}\n`),
    stop: () => {},
  };
}
