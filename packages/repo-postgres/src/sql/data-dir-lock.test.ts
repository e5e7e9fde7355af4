import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { makeTempDir, type TempDir } from "@limiquantix/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acquireDataDirLock } from "./data-dir-lock";

let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir("lock");
});
afterEach(async () => {
  await dir.remove();
});

describe("acquireDataDirLock", () => {
  it("creates the lock file and removes it on release", () => {
    const path = join(dir.path, "data.lock");
    const lock = acquireDataDirLock(path, "the data directory");
    expect(existsSync(path)).toBe(true);
    lock.release();
    lock.release();
    expect(existsSync(path)).toBe(false);
  });

  it("refuses a second lock in the same process with FailedPrecondition", () => {
    const path = join(dir.path, "data.lock");
    const lock = acquireDataDirLock(path, "the data directory");
    try {
      expect(() => acquireDataDirLock(path, "the data directory")).toThrow(/already open in this process/);
    } finally {
      lock.release();
    }
  });

  it("refuses a lock held by another live process, naming its pid and the lock file", async () => {
    const path = join(dir.path, "data.lock");
    const other = spawn("sleep", ["30"], { stdio: "ignore" });
    try {
      writeFileSync(path, JSON.stringify({ pid: other.pid, host: hostname() }));
      let thrown: unknown;
      try {
        acquireDataDirLock(path, "the data directory");
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toMatchObject({ code: "FailedPrecondition" });
      expect(String((thrown as Error).message)).toContain(`process ${other.pid}`);
      expect(String((thrown as Error).message)).toContain(path);
    } finally {
      other.kill();
    }
  });

  it("takes over a stale lock left by a dead process", async () => {
    const path = join(dir.path, "data.lock");
    const dead = spawn("true", [], { stdio: "ignore" });
    await new Promise((resolve) => dead.once("exit", resolve));
    writeFileSync(path, JSON.stringify({ pid: dead.pid, host: hostname() }));
    const lock = acquireDataDirLock(path, "the data directory");
    lock.release();
    expect(existsSync(path)).toBe(false);
  });

  it("takes over a half-written lock file", () => {
    const path = join(dir.path, "data.lock");
    writeFileSync(path, "{not json");
    acquireDataDirLock(path, "the data directory").release();
  });
});
