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
}

/** upperSnake normalises a domain enum value (`NoSchedule`, `run-on`, `high`) to a proto enum name (`NO_SCHEDULE`, `RUN_ON`, `HIGH`). */
export function upperSnake(value: string): string {
  return value
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .toUpperCase();
}

/** enumCodec pairs every domain value with the proto enum value of the same (normalised) name; a missing pair is a programming error found at start-up. */
export function enumCodec<D extends string>(protoEnum: ProtoEnum, domainValues: readonly D[], what: string): EnumCodec<D> {
  const toNum = new Map<D, number>();
  const toDomain = new Map<number, D>();
  for (const v of domainValues) {
    const n = protoEnum[upperSnake(v)];
    if (typeof n !== "number") throw internal(`${what}: proto enum has no value for ${v}`);
    toNum.set(v, n);
    toDomain.set(n, v);
  }
  const names = domainValues.map(upperSnake).join(", ");
  const fromProto = (value: number, field: string): D | undefined => {
    if (value === 0) return undefined;
    const d = toDomain.get(value);
    if (d === undefined) throw invalidArgument([{ field, description: `must be one of ${names} (got ${value})` }]);
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
  };
}
