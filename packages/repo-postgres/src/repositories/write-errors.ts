import { DomainError, ErrorCode, RESOURCES, type UniqueKey } from "@limiquantix/domain";
import { classifyDbError, type DbErrorShape, sqlStateOf } from "../errors/classify-db-error";
import type { TableMap } from "./table-map";

/** duplicateKey builds the AlreadyExists error for a unique key another resource already holds. */
export function duplicateKey(
  map: TableMap,
  fields: readonly string[],
  values: readonly unknown[],
): DomainError {
  const key: UniqueKey | undefined = RESOURCES[map.kind].uniqueKeys.find(
    (k) => k.fields.length === fields.length && k.fields.every((f, i) => f === fields[i]),
  );
  const what = key?.description ?? fields.join(" + ");
  const shown = values.map((v) => JSON.stringify(v)).join(" / ");
  return new DomainError(
    ErrorCode.AlreadyExists,
    `${map.kind} with ${what} ${shown} already exists: choose another ${fields.at(-1)}`,
    { resource: { kind: map.kind, name: String(values.at(-1)) }, fields },
  );
}

/** duplicateId builds the AlreadyExists error for an id in use. */
export function duplicateId(map: TableMap, id: string): DomainError {
  return new DomainError(ErrorCode.AlreadyExists, `${map.kind} ${id} already exists: choose another id`, {
    resource: { kind: map.kind, id },
  });
}

/**
 * writeError turns a driver error of a write into a DomainError: unique violations name the key,
 * foreign-key violations say which reference is missing or which rows still point here.
 */
export function writeError(
  map: TableMap,
  error: unknown,
  resource: { id?: unknown } & Record<string, unknown>,
  valuesOf: (fields: readonly string[]) => unknown[],
): DomainError {
  const state = sqlStateOf(error);
  const shape = error as DbErrorShape;
  if (state === "23505") {
    if (shape.constraint === `${map.table}_pkey`) return duplicateId(map, String(resource.id));
    const fields = shape.constraint ? map.uniqueConstraints[shape.constraint] : undefined;
    if (fields) return duplicateKey(map, fields, valuesOf(fields));
  }
  // 23001 is what PostgreSQL 18 (PGlite) raises for ON DELETE RESTRICT; older servers raise 23503.
  if (state === "23503" || state === "23001") {
    const detail = shape.detail ?? shape.message ?? "";
    const stillReferenced = state === "23001" || /is (still )?referenced/i.test(detail);
    const message = stillReferenced
      ? `${map.kind} ${String(resource.id)} is still referenced (${detail}): delete or move what refers to it first`
      : `${map.kind} ${String(resource.id ?? "")} refers to something that does not exist (${detail}): create it first or fix the reference`;
    return new DomainError(
      ErrorCode.FailedPrecondition,
      message,
      {
        resource: { kind: map.kind, id: String(resource.id ?? "") },
        constraint: shape.constraint,
      },
      { cause: error },
    );
  }
  return classifyDbError(error, `${map.kind} write`);
}
