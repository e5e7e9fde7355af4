import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { DomainError, ErrorCode, invalidArgument, violationsOf } from "@limiquantix/domain";
import { readEnv, setPath } from "./env";
import { type Config, ConfigSchema } from "./schema";

/** ConfigFlags are the command-line flags that override configuration. */
export interface ConfigFlags {
  readonly config?: string;
  readonly host?: string;
  readonly port?: number;
  readonly dataDir?: string;
  readonly dev?: boolean;
  readonly mode?: string;
  readonly simNodes?: number;
  readonly logLevel?: string;
}

/** LoadedConfig is the effective configuration and where it came from. */
export interface LoadedConfig {
  readonly config: Config;
  readonly file?: string;
  /** Environment variables that look like settings but name none. */
  readonly unknownEnv: readonly string[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** deepMerge overlays b on a: objects merge key by key, everything else is replaced. */
export function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isObject(prev) && isObject(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

function readFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw invalidArgument([{ field: "--config", description: `cannot be read: ${(e as Error).message}` }]);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw invalidArgument([{ field: path, description: `is not valid YAML: ${(e as Error).message}` }]);
  }
  if (doc === null || doc === undefined) return {};
  if (!isObject(doc))
    throw invalidArgument([{ field: path, description: "must hold a YAML mapping at the top" }]);
  return doc;
}

function flagValues(flags: ConfigFlags): { values: Record<string, unknown>; sources: Map<string, string> } {
  const values: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  const put = (path: string, flag: string, v: unknown) => {
    if (v === undefined) return;
    setPath(values, path.split("."), v);
    sources.set(path, flag);
  };
  put("server.host", "--host", flags.host);
  put("server.port", "--port", flags.port);
  put("dataDir", "--data-dir", flags.dataDir);
  put("mode", "--mode", flags.mode);
  if (flags.dev) put("mode", "--dev", "dev");
  put("simulation.nodes", "--sim-nodes", flags.simNodes);
  put("logging.level", "--log-level", flags.logLevel);
  return { values, sources };
}

/**
 * CONVENTIONAL_ENV are the environment variables platforms set by convention (`PORT` on most
 * hosts, `DATABASE_URL` as the migrator reads it), honoured below the `LQX_*` variables.
 */
const CONVENTIONAL_ENV: readonly { name: string; path: string; int?: boolean }[] = [
  { name: "PORT", path: "server.port", int: true },
  { name: "DATABASE_URL", path: "database.url" },
];

function conventionalEnv(env: NodeJS.ProcessEnv): {
  values: Record<string, unknown>;
  sources: Map<string, string>;
} {
  const values: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  for (const { name, path, int } of CONVENTIONAL_ENV) {
    const raw = env[name];
    if (raw === undefined || raw === "") continue;
    // A non-number PORT stays a string, so validation names it and where it came from.
    setPath(values, path.split("."), int && /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : raw);
    sources.set(path, name);
  }
  return { values, sources };
}

/**
 * loadConfig builds the effective configuration: defaults, then the YAML file, then `PORT` and
 * `DATABASE_URL`, then `LQX_*` environment variables, then flags. Anything invalid or unknown stops with InvalidArgument
 * naming the key, the rule and where the value came from.
 */
export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const file = flags.config ?? env.LQX_CONFIG;
  const fromFile = file ? readFile(file) : {};
  const fromConventions = conventionalEnv(env);
  const fromEnv = readEnv(env);
  const fromFlags = flagValues(flags);
  const merged = deepMerge(
    deepMerge(deepMerge(fromFile, fromConventions.values), fromEnv.values),
    fromFlags.values,
  );
  const result = ConfigSchema.safeParse(merged);
  if (!result.success) {
    const violations = violationsOf(result.error, merged).map((v) => {
      const source =
        fromFlags.sources.get(v.field) ??
        fromEnv.sources.get(v.field) ??
        fromConventions.sources.get(v.field) ??
        (file ? file : undefined);
      return source ? { ...v, description: `${v.description} [from ${source}]` } : v;
    });
    throw new DomainError(
      ErrorCode.InvalidArgument,
      `invalid configuration: ${violations.map((v) => `${v.field} ${v.description}`).join("; ")}`,
      { fieldViolations: violations },
    );
  }
  const config = result.data;
  checkModeRequirements(config);
  return file ? { config, file, unknownEnv: fromEnv.unknown } : { config, unknownEnv: fromEnv.unknown };
}

function checkModeRequirements(config: Config): void {
  if (config.mode !== "production") return;
  const missing: { field: string; description: string }[] = [];
  if (!config.database.url)
    missing.push({ field: "database.url", description: "is required in production mode" });
  if (!config.redis.url) missing.push({ field: "redis.url", description: "is required in production mode" });
  if (config.etcd.endpoints.length === 0)
    missing.push({
      field: "etcd.endpoints",
      description: "must name at least one endpoint in production mode",
    });
  if (missing.length > 0) throw invalidArgument(missing, "configuration");
}
