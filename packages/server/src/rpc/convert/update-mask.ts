import { type DescMessage, type MessageShape, clone, create } from "@bufbuild/protobuf";
import type { FieldMask } from "@bufbuild/protobuf/wkt";
import { invalidArgument } from "@limiquantix/domain";
import { snakePath } from "../error-mapping";
import { givenLabels } from "./request-fields";

/**
 * maskPaths reads an update_mask's paths (in the wire's snake_case) and checks each against the
 * paths the update knows; every unknown one is reported at once as InvalidArgument naming
 * `<field>.paths[i]`.
 */
function maskPaths(mask: FieldMask | undefined, known: readonly string[], field = "update_mask"): string[] {
  const paths = (mask?.paths ?? []).map(snakePath);
  const knownSet = new Set(known);
  const violations = paths.flatMap((p, i) =>
    knownSet.has(p)
      ? []
      : [
          {
            field: `${field}.paths[${i}]`,
            description: `names no field this update can change (got "${p}"); known: ${known.join(", ")}`,
          },
        ],
  );
  if (violations.length > 0) throw invalidArgument(violations);
  return paths;
}

/** UpdateMask says which fields of an update request to apply. */
export interface UpdateMask {
  /** applies says whether to apply path: named by the mask (or a parent of it), or, with no mask, given in the request. */
  applies(path: string, given: boolean): boolean;
}

/**
 * readUpdateMask checks a request's update_mask against the paths the update knows. An empty
 * mask means "every field given"; a path the update does not know is InvalidArgument naming it.
 */
export function readUpdateMask(
  mask: FieldMask | undefined,
  known: readonly string[],
  field = "update_mask",
): UpdateMask {
  const paths = maskPaths(mask, known, field);
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
  const specFieldOf = new Map((specSchema?.fields ?? []).map((f) => [`spec.${f.name}`, f.localName]));
  const paths = maskPaths(mask, [...Object.keys(given), ...specFieldOf.keys()]);
  const whole = new Set(paths.filter((p) => Object.hasOwn(given, p)));
  const specFields = paths.flatMap((p) => specFieldOf.get(p) ?? []);
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

/** LabelsAndSpecUpdate is an Update request that changes a resource's labels and spec message. */
export interface LabelsAndSpecUpdate<D extends DescMessage> {
  readonly updateMask?: FieldMask | undefined;
  readonly labels: { [key: string]: string };
  readonly spec?: MessageShape<D> | undefined;
}

/** SpecCodec converts a domain spec to its wire message and back (reading validates it). */
export interface SpecCodec<D extends DescMessage, S> {
  readonly schema: D;
  toProto(spec: S): MessageShape<D>;
  fromProto(message: MessageShape<D>): S;
}

/**
 * labelsAndSpecChange reads an Update request's update_mask (refusing unknown paths up front) and
 * gives the change it makes to a resource: labels and spec replaced whole, or single
 * `spec.<field>` entries merged into the current spec, as updateSelection decides.
 */
export function labelsAndSpecChange<D extends DescMessage, S>(
  req: LabelsAndSpecUpdate<D>,
  codec: SpecCodec<D, S>,
): <R extends { readonly labels: Readonly<Record<string, string>>; readonly spec: S }>(current: R) => R {
  const sel = updateSelection(
    req.updateMask,
    { labels: givenLabels(req.labels), spec: req.spec !== undefined },
    codec.schema,
  );
  return (current) => {
    const spec = sel.mergeSpec(codec.schema, codec.toProto(current.spec), req.spec);
    return {
      ...current,
      ...(sel.has("labels") ? { labels: req.labels } : {}),
      ...(spec ? { spec: codec.fromProto(spec) } : {}),
    };
  };
}
