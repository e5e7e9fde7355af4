import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { failedPrecondition } from "@limiquantix/domain";

/** DataDirLock is a held lock file; release removes it (once). */
export interface DataDirLock {
  readonly path: string;
  release(): void;
}

interface LockOwner {
  readonly pid: number;
  readonly host: string;
}

function readOwner(path: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<LockOwner>;
    if (typeof parsed.pid === "number" && typeof parsed.host === "string")
      return { pid: parsed.pid, host: parsed.host };
  } catch {
    // A lock file that cannot be read was left half-written by a crash: treat it as stale.
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

const held = new Set<string>();
let exitHook = false;

/**
 * acquireDataDirLock takes the lock file at `path` for this process. Another live process
 * holding it (or this process holding it already) is FailedPrecondition with a message that
 * names the holder; a lock left by a dead process on this host is taken over.
 */
export function acquireDataDirLock(path: string, what: string): DataDirLock {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), at: new Date().toISOString() }));
      closeSync(fd);
      held.add(path);
      if (!exitHook) {
        exitHook = true;
        // A clean exit without close() must not leave the lock behind for the next start.
        process.once("exit", () => {
          for (const p of held) rmSync(p, { force: true });
        });
      }
      let released = false;
      return {
        path,
        release() {
          if (released) return;
          released = true;
          held.delete(path);
          const owner = readOwner(path);
          if (owner?.pid === process.pid) rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = readOwner(path);
    const local = owner === undefined || owner.host === hostname();
    if (owner && local && owner.pid === process.pid)
      throw failedPrecondition(
        `${what} is already open in this process (lock file ${path}): share the one store instead of opening it twice`,
        { lockFile: path },
      );
    if (owner && (!local || isAlive(owner.pid)))
      throw failedPrecondition(
        `${what} is in use by process ${owner.pid} on ${owner.host} (lock file ${path}): stop that process first, or, if it is certainly not running, delete the lock file`,
        { lockFile: path, pid: owner.pid, host: owner.host },
      );
    rmSync(path, { force: true });
  }
  throw failedPrecondition(
    `could not take the lock file ${path} for ${what}: another process keeps taking it`,
  );
}
