import { type DescMessage, type MessageShape, clone, create } from "@bufbuild/protobuf";
import type { FieldMask } from "@bufbuild/protobuf/wkt";
import { invalidArgument } from "@limiquantix/domain";

/** UpdateSelection says what an Update call changes, as its update_mask (or, without one, the fields given) decides. */
export interface UpdateSelection {
  /** has says whether a top-level field (`labels`, `spec`, `description`) is replaced as a whole. */
  has(field: string): boolean;
  /**
   * mergeSpec gives the spec to store: the incoming one when `spec` is replaced whole, the current one
   * with the masked `spec.<field>` entries copied from the incoming one, or undefined when the spec is untouched.
   */
  mergeSpec<D extends DescMessage>(
    schema: D,
    current: MessageShape<D>,
    incoming: MessageShape<D> | undefined,
  ): MessageShape<D> | undefined;
}

/**
 * updateSelection reads an update_mask. With no paths, every field the request carries changes
 * (`given` says which do: a non-empty map, a present message, a non-empty string). With paths,
 * exactly the named fields change, cleared when the request leaves them out; `spec.<field>`
 * names one field of the spec message. An unknown path is InvalidArgument naming it.
 */
export function updateSelection(
  mask: FieldMask | undefined,
  given: Readonly<Record<string, boolean>>,
  specSchema?: DescMessage,
): UpdateSelection {
  const paths = mask?.paths ?? [];
  const whole = new Set<string>();
  const specFields: string[] = [];
  paths.forEach((path, i) => {
    if (path in given) {
      whole.add(path);
      return;
    }
    const field = path.startsWith("spec.")
      ? specSchema?.fields.find((f) => f.name === path.slice(5))
      : undefined;
    if (field) {
      specFields.push(field.localName);
      return;
    }
    const known = [...Object.keys(given), ...(specSchema?.fields.map((f) => `spec.${f.name}`) ?? [])];
    throw invalidArgument([
      { field: `update_mask.paths[${i}]`, description: `must be one of ${known.join(", ")} (got "${path}")` },
    ]);
  });
  const has = (field: string): boolean => (paths.length === 0 ? given[field] === true : whole.has(field));
  return {
    has,
    mergeSpec(schema, current, incoming) {
      if (has("spec")) return incoming ?? create(schema);
      if (specFields.length === 0) return undefined;
      const next = clone(schema, current) as Record<string, unknown>;
      const source = (incoming ?? create(schema)) as Record<string, unknown>;
      for (const f of specFields) next[f] = source[f];
      return next as MessageShape<typeof schema>;
    },
  };
}
