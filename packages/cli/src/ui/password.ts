import { CliError, ExitCode, usageError } from "../exit-codes";
import type { Terminal } from "../io";

/** readAllStdin reads standard input to its end (for --password-stdin and `create -f -`). */
export async function readAllStdin(terminal: Terminal): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of terminal.stdin)
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/** passwordFromStdin is the first line of standard input, without its line ending. */
export async function passwordFromStdin(terminal: Terminal): Promise<string> {
  const text = await readAllStdin(terminal);
  const password = text.split(/\r?\n/)[0] ?? "";
  if (!password) throw usageError("--password-stdin: standard input held no password");
  return password;
}

/**
 * promptHidden asks for a secret on the terminal without echoing it: the terminal is put in raw
 * mode and each key is read, so the password never appears on screen or in scrollback. Backspace
 * erases, Enter ends, Ctrl-C and Ctrl-D give up.
 */
export function promptHidden(terminal: Terminal, question: string): Promise<string> {
  const { stdin, stderr } = terminal;
  if (stdin.isTTY !== true || typeof stdin.setRawMode !== "function")
    return Promise.reject(
      usageError("cannot prompt for a password: standard input is not a terminal; use --password-stdin"),
    );
  // Echo goes off before the prompt shows, so nothing typed after it is ever echoed.
  stdin.setRawMode(true);
  stderr.write(question);
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = (error?: Error) => {
      stdin.off("data", onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      stderr.write("\n");
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (data: Buffer | string) => {
      for (const ch of typeof data === "string" ? data : data.toString("utf8")) {
        if (ch === "\r" || ch === "\n") return finish();
        if (ch === "\u0003") return finish(new CliError("interrupted", ExitCode.INTERRUPTED));
        if (ch === "\u0004") {
          if (value === "") return finish(usageError("no password given"));
          return finish();
        }
        if (ch === "\u007f" || ch === "\b") value = value.slice(0, -1);
        else if (ch >= " ") value += ch;
      }
    };
    stdin.resume();
    stdin.on("data", onData);
  });
}

/** promptLine asks for a visible line of input on the terminal (a username). */
export function promptLine(terminal: Terminal, question: string): Promise<string> {
  const { stdin, stderr } = terminal;
  if (stdin.isTTY !== true)
    return Promise.reject(usageError(`${question.trim()} needed: standard input is not a terminal`));
  stderr.write(question);
  return new Promise((resolve) => {
    let value = "";
    const onData = (data: Buffer | string) => {
      value += typeof data === "string" ? data : data.toString("utf8");
      const end = value.search(/\r?\n/);
      if (end >= 0) {
        stdin.off("data", onData);
        stdin.pause();
        resolve(value.slice(0, end));
      }
    };
    stdin.resume();
    stdin.on("data", onData);
  });
}
