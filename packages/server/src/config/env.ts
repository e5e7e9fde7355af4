import type { z } from "zod";
import { invalidArgument } from "@limiquantix/domain";
import { ConfigSchema } from "./schema";

/** ENV_PREFIX starts every environment variable the server reads. */
export const ENV_PREFIX = "LQX_";

type Leaf = { readonly path: readonly string[]; readonly kind: string };

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    const def = s._zod.def as { type: string; innerType?: z.ZodType };
    if (def.innerType && ["default", "prefault", "optional", "nullable"].includes(def.type))
      s = def.innerType;
    else return s;
  }
}

function leaves(schema: z.ZodType, prefix: readonly string[]): Leaf[] {
  const inner = unwrap(schema);
  const def = inner._zod.def as { type: string; shape?: Record<string, z.ZodType> };
  if (def.type === "object" && def.shape)
    return Object.entries(def.shape).flatMap(([k, s]) => leaves(s, [...prefix, k]));
  return [{ path: prefix, kind: def.type }];
}

/** envName is the environment variable of a config path: `server.shutdownTimeoutSec` → `LQX_SERVER_SHUTDOWN_TIMEOUT_SEC`. */
export function envName(path: readonly string[]): string {
  return ENV_PREFIX + path.map((p) => p.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()).join("_");
}

/** CONFIG_LEAVES lists every settable configuration key with its type. */
export const CONFIG_LEAVES: readonly Leaf[] = leaves(ConfigSchema, []);

const BY_ENV = new Map(CONFIG_LEAVES.map((l) => [envName(l.path), l]));

function coerce(name: string, leaf: Leaf, raw: string): unknown {
  const field = leaf.path.join(".");
  switch (leaf.kind) {
    case "number":
    case "int": {
      const n = Number(raw);
      if (raw.trim() === "" || !Number.isFinite(n))
        throw invalidArgument([
          { field, description: `must be a number (got ${JSON.stringify(raw)} from ${name})` },
        ]);
      return n;
    }
    case "boolean":
      if (/^(true|1|yes|on)$/i.test(raw)) return true;
      if (/^(false|0|no|off)$/i.test(raw)) return false;
      throw invalidArgument([
        { field, description: `must be true or false (got ${JSON.stringify(raw)} from ${name})` },
      ]);
    case "array":
      return raw
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "");
    default:
      return raw;
  }
}

/** NON_CONFIG_ENV are `LQX_` variables the server reads that are not configuration keys. */
export const NON_CONFIG_ENV: ReadonlySet<string> = new Set([
  // The first admin's password on a first start (never stored in the configuration).
  "LQX_BOOTSTRAP_ADMIN_PASSWORD",
  // V8's semi-space size, applied by the entry point before anything is configured (runtime/heap-flags).
  "LQX_SEMI_SPACE_MIB",
  "LQX_RELAUNCHED_CHILD",
]);

/** EnvOverrides are the configuration values found in the environment, and which variable set each path. */
export interface EnvOverrides {
  readonly values: Record<string, unknown>;
  readonly sources: ReadonlyMap<string, string>;
  /** `LQX_` variables that name no configuration key (reported as warnings; `LQX_TEST_` ones are ignored). */
  readonly unknown: readonly string[];
}

/** readEnv collects `LQX_*` overrides as a nested object. */
export function readEnv(env: NodeJS.ProcessEnv): EnvOverrides {
  const values: Record<string, unknown> = {};
  const sources = new Map<string, string>();
  const unknown: string[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || raw === undefined) continue;
    if (name.startsWith(`${ENV_PREFIX}TEST_`) || NON_CONFIG_ENV.has(name)) continue;
    const leaf = BY_ENV.get(name);
    if (!leaf) {
      unknown.push(name);
      continue;
    }
    setPath(values, leaf.path, coerce(name, leaf, raw));
    sources.set(leaf.path.join("."), name);
  }
  return { values, sources, unknown };
}

/** setPath writes value at a nested path, creating objects on the way. */
export function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur = target;
  for (const seg of path.slice(0, -1)) {
    const next = cur[seg];
    if (next === null || typeof next !== "object" || Array.isArray(next)) cur[seg] = {};
    cur = cur[seg] as Record<string, unknown>;
  }
  cur[path[path.length - 1]!] = value;
}
