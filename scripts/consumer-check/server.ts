// Starts the installed limiquantix-server, makes one RPC and stops it.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { tail } from "./commands";

/**
 * callServer is the one RPC the check makes of a running server: ListProjects over the Connect
 * protocol's JSON. Add credentials here once the server asks for them.
 */
export async function callServer(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/limiquantix.iam.v1.ProjectService/ListProjects`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`ListProjects answered HTTP ${response.status}: ${text.slice(0, 500)}`);
  const body = JSON.parse(text) as { projects?: unknown[] };
  return `ListProjects answered ${response.status} (${body.projects?.length ?? 0} projects)`;
}

/** listeningUrl finds where the server says it listens (banner or log line, stdout or stderr). */
export function listeningUrl(output: string): string | undefined {
  for (const line of output.split("\n")) {
    if (!/listen/i.test(line)) continue;
    const url = /(https?:\/\/[^\s"',\]]+)/.exec(line)?.[1];
    if (url) return url.replace(/\/$/, "");
  }
  return undefined;
}

/** runServer starts the server in dev mode on a free port, calls it, and stops it with SIGTERM. */
export async function runServer(projectDir: string): Promise<string> {
  const child = spawn(
    join(projectDir, "node_modules", ".bin", "limiquantix-server"),
    ["--dev", "--host", "127.0.0.1", "--port", "0"],
    { cwd: projectDir, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } },
  );
  let output = "";
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no line saying where it listens within 60 s\n${tail(output)}`)),
        60_000,
      );
      const onData = (d: Buffer) => {
        output += d.toString("utf8");
        const url = listeningUrl(output);
        if (url) {
          clearTimeout(timer);
          resolve(url);
        }
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      child.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the server exited with ${code} before listening\n${tail(output)}`));
      });
    });
    const answer = await callServer(url);
    await stop(child, () => output);
    return `${url}: ${answer}; stopped on SIGTERM`;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}

export function stop(child: ChildProcess, output: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`still running 20 s after SIGTERM\n${tail(output())}`)),
      20_000,
    );
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      if (code === 0 || signal === "SIGTERM") resolve();
      else reject(new Error(`exited with ${code ?? signal} after SIGTERM\n${tail(output())}`));
    });
    child.kill("SIGTERM");
  });
}
