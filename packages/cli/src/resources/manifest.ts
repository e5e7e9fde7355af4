import { type DescMessage, fromJson, type JsonValue, type Message } from "@bufbuild/protobuf";
import { parseAllDocuments } from "yaml";
import { usageError } from "../exit-codes";

/** Manifest is one object of a `create -f` file: its place in the file, its kind when it names one, and its fields. */
export interface Manifest {
  /** where says where it came from, for messages: `vm.yaml (document 2)`. */
  readonly where: string;
  readonly kind?: string;
  readonly body: Record<string, JsonValue>;
}

function isObject(value: unknown): value is Record<string, JsonValue> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * parseManifests reads the objects of a YAML or JSON file: one object, a list of objects, an
 * `{items: […]}` list (what `get -o json` prints), or several YAML documents.
 */
export function parseManifests(text: string, source: string): Manifest[] {
  let docs: unknown[];
  const trimmed = text.trim();
  if (trimmed === "") throw usageError(`${source}: the file is empty`);
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      docs = [JSON.parse(trimmed)];
    } catch (e) {
      throw usageError(`${source}: not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
  } else {
    const parsed = parseAllDocuments(text);
    const list = Array.isArray(parsed) ? parsed : [parsed];
    docs = [];
    for (const [i, doc] of list.entries()) {
      const error = doc.errors[0];
      if (error)
        throw usageError(
          `${list.length > 1 ? `${source} (document ${i + 1})` : source}: not valid YAML: ${error.message.split("\n")[0]}`,
        );
      const value: unknown = doc.toJS();
      if (value !== null && value !== undefined) docs.push(value);
    }
  }
  const objects: { value: unknown; where: string }[] = [];
  for (const [i, doc] of docs.entries()) {
    const where = docs.length > 1 ? `${source} (document ${i + 1})` : source;
    const listed = Array.isArray(doc) || (isObject(doc) && Array.isArray(doc.items));
    const items = Array.isArray(doc) ? doc : isObject(doc) && Array.isArray(doc.items) ? doc.items : [doc];
    for (const [j, value] of items.entries())
      objects.push({ value, where: listed ? `${where} (item ${j + 1})` : where });
  }
  if (objects.length === 0) throw usageError(`${source}: the file holds no object`);
  return objects.map(({ value, where }) => {
    if (!isObject(value)) throw usageError(`${where}: expected an object with the request's fields`);
    const { kind, ...body } = value;
    if (kind !== undefined && typeof kind !== "string") throw usageError(`${where}: kind must be a string`);
    return { where, ...(kind ? { kind } : {}), body };
  });
}

/**
 * requestOf decodes a manifest's fields as a request message (the API's JSON shape, field names
 * in lowerCamelCase or as in the .proto file). An unknown field or a value of the wrong type is a
 * usage error naming the field.
 */
export function requestOf(schema: DescMessage, manifest: Manifest): Message {
  try {
    return fromJson(schema, manifest.body);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw usageError(
      `${manifest.where}: ${message.replace(/^cannot decode (message|field) /, "cannot read ")}`,
    );
  }
}
