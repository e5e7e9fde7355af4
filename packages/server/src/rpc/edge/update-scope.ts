import type { DescMessage } from "@bufbuild/protobuf";
import { type Path, pathToString } from "@bufbuild/protobuf/reflect";
import type { FieldMask } from "@bufbuild/protobuf/wkt";
import { snakePath } from "../error-mapping";

/** updateMaskOf gives the paths of an update request's `update_mask` (snake_case), or undefined for a request that has none. */
export function updateMaskOf(schema: DescMessage, message: unknown): string[] | undefined {
  const field = schema.fields.find(
    (f) => f.name === "update_mask" && f.message?.typeName === "google.protobuf.FieldMask",
  );
  if (!field) return undefined;
  const mask = (message as Record<string, FieldMask | undefined>)[field.localName];
  return (mask?.paths ?? []).map(snakePath);
}

function isZero(value: unknown): boolean {
  if (value === undefined || value === null || value === "" || value === 0 || value === 0n || value === false)
    return true;
  if (Array.isArray(value)) return value.length === 0;
  return false;
}

function covers(mask: string, path: string): boolean {
  return (
    path === mask || path.startsWith(`${mask}.`) || path.startsWith(`${mask}[`) || mask.startsWith(`${path}.`)
  );
}

/**
 * inUpdateScope says whether a rule broken by an update request concerns what the update changes.
 * An update carries a partial resource: `update_mask` names the fields to change, and without one
 * the fields given (not left zero) change. A broken rule under the resource's message or map fields
 * (`spec`, `labels`) counts only there; the request's own fields (`id`, `resource_version`) always
 * count.
 */
export function inUpdateScope(path: Path, mask: readonly string[], value: unknown): boolean {
  const root = path[0];
  if (root?.kind !== "field" || root.name === "update_mask") return true;
  if (root.fieldKind !== "message" && root.fieldKind !== "map") return true;
  const wire = pathToString(path);
  return mask.length > 0 ? mask.some((m) => covers(m, wire)) : !isZero(value);
}
