import { randomUUID } from "node:crypto";
import { chmod, mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Config } from "../../config/schema";
import { type CaSource, ClusterCa, generateCa } from "./cluster-ca";

/** NODE_CA_CERT_FILE and NODE_CA_KEY_FILE name the cluster CA's files in `<dataDir>/keys/` (embedded mode). */
export const NODE_CA_CERT_FILE = "node-ca.crt";
/** NODE_CA_KEY_FILE is the cluster CA's private key in `<dataDir>/keys/` (mode 0600). */
export const NODE_CA_KEY_FILE = "node-ca.key";

function codeOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if (codeOf(error) === "ENOENT") return undefined;
    throw new Error(
      `cannot read ${file} (${codeOf(error) ?? String(error)}); check its owner and permissions`,
    );
  }
}

/** writeWhole writes a file whole (a temporary file renamed into place) with the given mode. */
async function writeWhole(file: string, content: string, mode: number): Promise<void> {
  const temp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    const handle = await open(temp, "wx", mode);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(temp, mode); // open's mode passes through the umask
    await rename(temp, file);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

function fromPem(cert: string, key: string, source: CaSource, where: string): ClusterCa {
  try {
    return ClusterCa.fromPem(cert, key, source);
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
}

/**
 * loadDataDirCa gives the cluster CA kept in `dir` (`node-ca.crt`, and `node-ca.key` with mode
 * 0600), generating both on first use. One without the other, or files that do not hold a
 * usable CA, are an error naming them, never silently replaced: a new CA would void every node
 * certificate the old one signed. (Embedded mode holds the data directory's lock, so no other
 * process writes here at the same time.)
 */
export async function loadDataDirCa(dir: string): Promise<ClusterCa> {
  const certFile = join(dir, NODE_CA_CERT_FILE);
  const keyFile = join(dir, NODE_CA_KEY_FILE);
  const [cert, key] = await Promise.all([readIfPresent(certFile), readIfPresent(keyFile)]);
  if (cert !== undefined && key !== undefined)
    return fromPem(cert, key, "data-dir", `the cluster CA in ${dir}`);
  if (cert !== undefined || key !== undefined)
    throw new Error(
      `${cert === undefined ? certFile : keyFile} is missing while ${cert === undefined ? keyFile : certFile} exists: restore it, or delete both to make a new cluster CA (nodes must then join again for new certificates)`,
    );
  const made = generateCa();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // The key first: a certificate without its key would be refused at the next start.
  await writeWhole(keyFile, made.keyPem, 0o600);
  await writeWhole(certFile, made.certPem, 0o644);
  return fromPem(made.certPem, made.keyPem, "data-dir", `the cluster CA in ${dir}`);
}

/**
 * loadClusterCa gives the CA that signs node certificates: the configured one
 * (`auth.nodeCa.certFile`/`keyFile`) in any mode, else one kept in `<dataDir>/keys/` in embedded
 * mode, an ephemeral one in dev mode, and none in production (node certificates are then not
 * offered).
 */
export async function loadClusterCa(config: Config): Promise<ClusterCa | undefined> {
  const files = config.auth.nodeCa;
  if (files) {
    const read = async (file: string, setting: string) => {
      try {
        return await readFile(file, "utf8");
      } catch (e) {
        throw new Error(`${setting}: cannot read ${file}: ${(e as Error).message}`);
      }
    };
    const [cert, key] = [
      await read(files.certFile, "auth.nodeCa.certFile"),
      await read(files.keyFile, "auth.nodeCa.keyFile"),
    ];
    return fromPem(cert, key, "configured", "auth.nodeCa");
  }
  if (config.mode === "embedded") return loadDataDirCa(resolve(config.dataDir, "keys"));
  if (config.mode === "dev") {
    const made = generateCa();
    return ClusterCa.fromPem(made.certPem, made.keyPem, "ephemeral");
  }
  return undefined;
}
