import { randomUUID } from "node:crypto";
import { chmod, link, mkdir, open, readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import { failedPrecondition } from "@limiquantix/domain";
import { type Ed25519KeyPair, generateEd25519Pem, importEd25519PrivateKey } from "./ed25519-key";

/** KEY_FILE_NAME is the name of the signing key file kept in the data directory in embedded mode. */
export const KEY_FILE_NAME = "jwt-signing-key.pem";

/** KeyFile is the signing key kept in a data directory: where it is, the key, and whether this load made it. */
export interface KeyFile {
  /** The path of the PEM file. */
  readonly file: string;
  /** The imported key; its kid is the thumbprint of the public key, so every load of the file gives the same. */
  readonly pair: Ed25519KeyPair;
  /** Whether this load generated the key (the first start of a fresh data directory). */
  readonly created: boolean;
}

function codeOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if (codeOf(error) === "ENOENT") return undefined;
    throw failedPrecondition(
      `cannot read the token signing key file ${file} (${codeOf(error) ?? String(error)}); check its owner and permissions`,
      { file },
    );
  }
}

/**
 * create writes a new key where none is. It writes a private temporary file and hard-links it
 * into place: the link fails if another process got there first (whose key is then used), and
 * no reader ever sees a half-written file.
 */
async function create(dataDir: string, file: string): Promise<{ pem: string; created: boolean }> {
  const pem = generateEd25519Pem();
  const temp = join(dataDir, `.${KEY_FILE_NAME}.${process.pid}.${randomUUID()}.tmp`);
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const handle = await open(temp, "wx", 0o600);
    try {
      await handle.writeFile(pem);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(temp, 0o600); // open's mode passes through the umask; the key must not
    await link(temp, file);
    return { pem, created: true };
  } catch (error) {
    if (codeOf(error) === "EEXIST") {
      const theirs = await readIfPresent(file);
      if (theirs !== undefined) return { pem: theirs, created: false };
    }
    throw failedPrecondition(
      `cannot write the token signing key file ${file} (${codeOf(error) ?? String(error)}); check that the data directory is writable`,
      { file },
    );
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/**
 * loadKeyFile gives the Ed25519 signing key kept in `<dataDir>/jwt-signing-key.pem` (PKCS#8 PEM,
 * mode 0600), generating it on first use. A file that holds no Ed25519 private key is an error
 * naming the file, never silently replaced: replacing it would void every token it signed.
 */
export async function loadKeyFile(dataDir: string): Promise<KeyFile> {
  const file = join(dataDir, KEY_FILE_NAME);
  const existing = await readIfPresent(file);
  const { pem, created } =
    existing === undefined ? await create(dataDir, file) : { pem: existing, created: false };
  try {
    return { file, pair: await importEd25519PrivateKey(pem), created };
  } catch (error) {
    const problem = error instanceof Error ? error.message : String(error);
    throw failedPrecondition(
      `the token signing key file ${file} is not an Ed25519 PKCS#8 PEM private key (${problem}); restore it, or delete it to generate a new key (tokens signed with the old one will stop verifying)`,
      { file },
    );
  }
}
