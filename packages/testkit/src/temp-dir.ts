import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** TempDir is a private temporary directory that `remove` deletes with its contents. */
export interface TempDir {
  readonly path: string;
  remove(): Promise<void>;
}

/** makeTempDir creates a private temporary directory named after prefix. */
export async function makeTempDir(prefix: string): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), `lqx-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
