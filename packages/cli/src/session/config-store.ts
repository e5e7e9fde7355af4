import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { parse, stringify } from "yaml";
import { CliError, ExitCode } from "../exit-codes";

/** Context is one named connection: a server and the credentials limiqctl holds for it. */
export interface Context {
  readonly name: string;
  readonly server: string;
  /** user is the username signed in with, or the service account's name. */
  readonly user?: string;
  readonly accessToken?: string;
  /** accessTokenExpireTime is an RFC 3339 time; the token is renewed shortly before it. */
  readonly accessTokenExpireTime?: string;
  readonly refreshToken?: string;
  readonly refreshTokenExpireTime?: string;
  /** token is a service account's API token, sent as it is and never refreshed. */
  readonly token?: string;
  /** project is the project commands use when --project is not given (a name or an id). */
  readonly project?: string;
}

/** ConfigFile is the content of the per-user configuration file. */
export interface ConfigFile {
  readonly currentContext?: string;
  readonly contexts: readonly Context[];
}

/**
 * configPath is where the configuration lives: $LIMIQCTL_CONFIG, else
 * $XDG_CONFIG_HOME/limiqctl/config.yaml, else ~/.config/limiqctl/config.yaml.
 */
export function configPath(env: Readonly<Record<string, string | undefined>>): string {
  if (env.LIMIQCTL_CONFIG) return env.LIMIQCTL_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
  return join(base, "limiqctl", "config.yaml");
}

const CONTEXT_KEYS = [
  "name",
  "server",
  "user",
  "accessToken",
  "accessTokenExpireTime",
  "refreshToken",
  "refreshTokenExpireTime",
  "token",
  "project",
] as const;

function invalid(path: string, what: string): CliError {
  return new CliError(`${path}: ${what}; fix the file or remove it and sign in again`, ExitCode.USAGE);
}

/** readConfig reads the configuration file, or an empty configuration when there is none. */
export function readConfig(path: string): ConfigFile {
  if (!existsSync(path)) return { contexts: [] };
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw invalid(path, `not valid YAML (${e instanceof Error ? e.message.split("\n")[0] : String(e)})`);
  }
  if (doc === null || doc === undefined) return { contexts: [] };
  if (typeof doc !== "object" || Array.isArray(doc)) throw invalid(path, "not a mapping");
  const raw = doc as Record<string, unknown>;
  const current = raw.currentContext;
  if (current !== undefined && typeof current !== "string")
    throw invalid(path, "currentContext must be a string");
  const list = raw.contexts ?? [];
  if (!Array.isArray(list)) throw invalid(path, "contexts must be a list");
  const contexts = list.map((entry, i): Context => {
    if (typeof entry !== "object" || entry === null) throw invalid(path, `contexts[${i}] must be a mapping`);
    const out: Record<string, string> = {};
    for (const key of CONTEXT_KEYS) {
      const value = (entry as Record<string, unknown>)[key];
      if (value === undefined || value === null) continue;
      if (typeof value !== "string") throw invalid(path, `contexts[${i}].${key} must be a string`);
      out[key] = value;
    }
    if (!out.name) throw invalid(path, `contexts[${i}].name is missing`);
    if (!out.server) throw invalid(path, `contexts[${i}].server is missing`);
    return out as unknown as Context;
  });
  return { ...(current ? { currentContext: current } : {}), contexts };
}

/**
 * writeConfig writes the configuration readable by its owner only (0600, in a 0700 directory):
 * it holds tokens. It writes a temporary file and renames it, so a reader never sees half a file.
 */
export function writeConfig(path: string, config: ConfigFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  const body = {
    ...(config.currentContext ? { currentContext: config.currentContext } : {}),
    contexts: config.contexts,
  };
  writeFileSync(temporary, stringify(body), { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

/** upsertContext replaces the context of the same name, or adds it. */
export function upsertContext(config: ConfigFile, context: Context): ConfigFile {
  const others = config.contexts.filter((c) => c.name !== context.name);
  return { ...config, contexts: [...others, context] };
}
