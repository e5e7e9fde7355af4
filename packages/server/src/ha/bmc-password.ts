import { readFile } from "node:fs/promises";

/** PasswordSource says where a BMC's password is: a file, or an environment variable (exactly one). */
export interface PasswordSource {
  readonly passwordFile?: string | undefined;
  readonly passwordEnv?: string | undefined;
}

/**
 * readBmcPassword reads a BMC's password now (so a rotated file is honoured): the file's content
 * without its trailing newline, or the variable's value. It throws an Error saying which is missing.
 */
export async function readBmcPassword(source: PasswordSource, env: NodeJS.ProcessEnv): Promise<string> {
  if (source.passwordFile) {
    try {
      return (await readFile(source.passwordFile, "utf8")).replace(/\r?\n$/, "");
    } catch (e) {
      throw new Error(`cannot read passwordFile ${source.passwordFile}: ${(e as Error).message}`);
    }
  }
  const value = env[source.passwordEnv ?? ""];
  if (value === undefined || value === "")
    throw new Error(`environment variable ${source.passwordEnv} (passwordEnv) is not set`);
  return value;
}
