// Starts the installed limiquantix-server, makes one RPC and stops it.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { tail } from "./commands";

/** ADMIN_PASSWORD is the first admin's password the checked server is started with. */
export const ADMIN_PASSWORD = "consumer-check-password-1";

async function post(baseUrl: string, path: string, body: unknown, token?: string): Promise<Response> {
  return fetch(`${baseUrl}/${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
}

/**
 * callServer is what the check asks of a running server over the Connect protocol's JSON: that a
 * call without credentials is refused, that the first admin signs in, and that ListProjects
 * answers the signed-in admin.
 */
export async function callServer(baseUrl: string): Promise<string> {
  const anonymous = await post(baseUrl, "limiquantix.iam.v1.ProjectService/ListProjects", {});
  if (anonymous.status !== 401)
    throw new Error(`ListProjects without a token answered HTTP ${anonymous.status}, not 401`);
  const login = await post(baseUrl, "limiquantix.iam.v1.AuthService/Login", {
    username: "admin",
    password: ADMIN_PASSWORD,
  });
  const signedIn = (await login.json()) as { accessToken?: string };
  if (!login.ok || !signedIn.accessToken) throw new Error(`Login answered HTTP ${login.status}`);
  const response = await post(
    baseUrl,
    "limiquantix.iam.v1.ProjectService/ListProjects",
    {},
    signedIn.accessToken,
  );
  const text = await response.text();
  if (!response.ok) throw new Error(`ListProjects answered HTTP ${response.status}: ${text.slice(0, 500)}`);
  const body = JSON.parse(text) as { projects?: unknown[] };
  return `refused without a token, signed in, ListProjects answered ${response.status} (${body.projects?.length ?? 0} projects)`;
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
    {
      cwd: projectDir,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NO_COLOR: "1", LQX_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD },
    },
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
