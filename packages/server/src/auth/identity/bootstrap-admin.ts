import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { hasErrorCode, type UserRepository } from "@limiquantix/domain";
import { systemContext } from "../../context/call-context";
import type { UserService } from "./user-service";

/** INITIAL_ADMIN_FILE is the file in the data directory that holds the first admin's password. */
export const INITIAL_ADMIN_FILE = "initial-admin-password";

/** BootstrapResult says what the first start created. */
export interface BootstrapResult {
  readonly username: string;
  /** The password, when this start created the admin with a generated one (shown once). */
  readonly generatedPassword?: string;
  /** Where the generated password was written, when there is a data directory. */
  readonly passwordFile?: string;
}

/**
 * ensureAdmin creates the user `admin` (role admin) when there are no users at all: with the
 * password from LQX_BOOTSTRAP_ADMIN_PASSWORD when given, else a random one that is returned to
 * be shown once and written to `<dataDir>/initial-admin-password` (mode 0600). Replicas starting
 * together race harmlessly: one creates the user, the others find it exists and print nothing.
 */
export async function ensureAdmin(
  users: UserService,
  repo: UserRepository,
  options: { readonly password?: string; readonly dataDir?: string },
): Promise<BootstrapResult | undefined> {
  if ((await repo.count()) > 0) return undefined;
  const generated = options.password ? undefined : randomBytes(18).toString("base64url");
  const password = options.password ?? (generated as string);
  try {
    await users.createUser(
      systemContext("bootstrap"),
      {
        username: "admin",
        email: "admin@localhost.localdomain",
        displayName: "Administrator",
        role: "admin",
        password,
      },
      options.password ? "LQX_BOOTSTRAP_ADMIN_PASSWORD" : "password",
    );
  } catch (e) {
    if (hasErrorCode(e, "AlreadyExists")) return undefined;
    throw e;
  }
  if (!generated) return { username: "admin" };
  if (!options.dataDir) return { username: "admin", generatedPassword: generated };
  await mkdir(options.dataDir, { recursive: true });
  const file = join(options.dataDir, INITIAL_ADMIN_FILE);
  await writeFile(file, `${generated}\n`, { mode: 0o600 });
  return { username: "admin", generatedPassword: generated, passwordFile: file };
}
