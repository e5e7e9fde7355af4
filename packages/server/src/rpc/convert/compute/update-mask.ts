import type { FieldMask } from "@bufbuild/protobuf/wkt";
import { invalidArgument } from "@limiquantix/domain";
import { snakePath } from "../../error-mapping";

/** UpdateMask says which fields of an update request to apply. */
export interface UpdateMask {
  /** applies says whether to apply path: named by the mask (or a parent of it), or, with no mask, given in the request. */
  applies(path: string, given: boolean): boolean;
}

/**
 * readUpdateMask checks a request's update_mask against the paths the update knows. An empty
 * mask means "every field given"; a path the update does not know is InvalidArgument naming it.
 */
export function readUpdateMask(mask: FieldMask | undefined, known: readonly string[], field = "update_mask"): UpdateMask {
  const paths = (mask?.paths ?? []).map(snakePath);
  const knownSet = new Set(known);
  const violations = paths.flatMap((p, i) =>
    knownSet.has(p) ? [] : [{ field: `${field}.paths[${i}]`, description: `names no field this update can change (got "${p}"); known: ${known.join(", ")}` }],
  );
  if (violations.length > 0) throw invalidArgument(violations);
  if (paths.length === 0) return { applies: (_path, given) => given };
  const named = new Set(paths);
  return {
    applies(path) {
      const parts = path.split(".");
      for (let n = parts.length; n > 0; n--) if (named.has(parts.slice(0, n).join("."))) return true;
      return false;
    },
  };
}
