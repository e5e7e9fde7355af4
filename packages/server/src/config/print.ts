import { stringify } from "yaml";
import type { Config } from "./schema";
import { SECRET_PATHS } from "./schema";

function mask(value: unknown, path: string): unknown {
  if (typeof value !== "string" || !SECRET_PATHS.includes(path)) return value;
  // Connection strings keep their host so an operator can see where they point.
  const url = /^([a-z][a-z0-9+.-]*:\/\/)([^@/]*@)?(.*)$/i.exec(value);
  if (url) return `${url[1]}${url[2] ? "****@" : ""}${url[3]}`;
  return "****";
}

function walk(value: unknown, path: string): unknown {
  // Items of a list share one path (`alerts.webhooks[].secret`).
  if (Array.isArray(value)) return value.map((v) => walk(v, `${path}[]`));
  if (value === null || typeof value !== "object") return mask(value, path);
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, walk(v, path ? `${path}.${k}` : k)]),
  );
}

/** maskSecrets returns a copy of the configuration with secrets replaced by `****` (passwords in URLs included). */
export function maskSecrets(config: Config): Record<string, unknown> {
  return walk(config, "") as Record<string, unknown>;
}

/** formatConfig renders the effective configuration as YAML (or JSON) with secrets masked. */
export function formatConfig(config: Config, format: "yaml" | "json" = "yaml"): string {
  const masked = maskSecrets(config);
  return format === "json" ? `${JSON.stringify(masked, null, 2)}\n` : stringify(masked);
}
