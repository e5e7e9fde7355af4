import type { DescEnum } from "@bufbuild/protobuf";
import { createApiRegistry } from "@limiquantix/api";
import { internal, invalidArgument } from "@limiquantix/domain";

/** ProtoEnum is a generated protobuf-es enum object (names ↔ numbers, prefix stripped). */
export type ProtoEnum = Record<string, string | number>;

/** EnumCodec converts between a domain string union and a generated proto enum. */
export interface EnumCodec<D extends string> {
  /** toProto gives the enum number of a domain value. */
  toProto(value: D): number;
  /** fromProto gives the domain value of an enum number; UNSPECIFIED gives undefined, an unknown number is InvalidArgument naming field. */
  fromProto(value: number, field: string): D | undefined;
  /** required is fromProto that also refuses UNSPECIFIED. */
  required(value: number, field: string): D;
  /** wireNames are the names the wire gives the domain's values (`STORAGE_POOL_TYPE_NFS` …), as messages list them. */
  readonly wireNames: readonly string[];
}

/** upperSnake normalises a domain enum value (`NoSchedule`, `run-on`, `high`) to a proto enum name (`NO_SCHEDULE`, `RUN_ON`, `HIGH`). */
export function upperSnake(value: string): string {
  return value
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .toUpperCase();
}

let apiEnums: DescEnum[] | undefined;

function isDescEnum(value: ProtoEnum | DescEnum): value is DescEnum {
  return (
    (value as { kind?: unknown }).kind === "enum" && Array.isArray((value as { values?: unknown }).values)
  );
}

/**
 * apiEnumOf finds the API's descriptor of a generated enum object: the enum named `what` (`PowerState`,
 * `HostRule.Type`) whose values are the object's. The descriptor has the wire names, which the
 * generated object has lost (its `NFS` is `STORAGE_POOL_TYPE_NFS` on the wire).
 */
function apiEnumOf(protoEnum: ProtoEnum, what: string): DescEnum | undefined {
  apiEnums ??= [...createApiRegistry()].filter((d): d is DescEnum => d.kind === "enum");
  return apiEnums.find(
    (e) =>
      (e.typeName === what || e.typeName.endsWith(`.${what}`)) &&
      e.values.every((v) => protoEnum[v.localName] === v.number),
  );
}

/**
 * enumCodec pairs every domain value with the proto enum value of the same (normalised) name; a
 * missing pair is a programming error found at start-up. It takes the enum's descriptor
 * (`compute.PowerStateSchema`) or its generated object (`compute.PowerState`, found among the API's
 * enums by `what`), and its messages list the values by their wire names.
 */
export function enumCodec<D extends string>(
  protoEnum: ProtoEnum | DescEnum,
  domainValues: readonly D[],
  what: string,
): EnumCodec<D> {
  const desc = isDescEnum(protoEnum) ? protoEnum : apiEnumOf(protoEnum, what);
  if (!desc) throw internal(`${what}: no enum of the API has the values of the one given`);
  const toNum = new Map<D, number>();
  const toDomain = new Map<number, D>();
  const wireNames: string[] = [];
  for (const v of domainValues) {
    const value = desc.values.find((candidate) => candidate.localName === upperSnake(v));
    if (!value) throw internal(`${what}: proto enum has no value for ${v}`);
    toNum.set(v, value.number);
    toDomain.set(value.number, v);
    wireNames.push(value.name);
  }
  const names = wireNames.join(", ");
  const fromProto = (value: number, field: string): D | undefined => {
    if (value === 0) return undefined;
    const d = toDomain.get(value);
    if (d === undefined)
      throw invalidArgument([{ field, description: `must be one of ${names} (got ${value})` }]);
    return d;
  };
  return {
    toProto: (value) => toNum.get(value) ?? 0,
    fromProto,
    required(value, field) {
      const d = fromProto(value, field);
      if (d === undefined) throw invalidArgument([{ field, description: `is required: one of ${names}` }]);
      return d;
    },
    wireNames,
  };
}
