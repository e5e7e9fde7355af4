import { createServer, type Server } from "node:net";

function listenOnAnyPort(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => resolve(srv));
  });
}

/** freePort asks the OS for a TCP port that is free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port as number;
}

/**
 * freePorts asks the OS for `count` TCP ports free on 127.0.0.1 right now, all different: each is
 * held until every one is known (asked one after another, the OS may hand out a closed one again).
 */
export async function freePorts(count: number): Promise<number[]> {
  const held: Server[] = [];
  try {
    for (let i = 0; i < count; i++) held.push(await listenOnAnyPort());
    return held.map((srv) => {
      const addr = srv.address();
      return typeof addr === "object" && addr ? addr.port : 0;
    });
  } finally {
    await Promise.all(held.map((srv) => new Promise<void>((resolve) => srv.close(() => resolve()))));
  }
}

/**
 * startOnFreePorts runs `start` (which picks free ports and launches a server on them) again, up
 * to `attempts` times, when the server exited while starting: between asking the OS for a free
 * port and binding it, another process (a parallel test's server) may take it.
 */
export async function startOnFreePorts<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (error) {
      const clash = error instanceof Error && error.message.includes("exited during start-up");
      if (!clash || attempt >= attempts) throw error;
    }
  }
}
