import type { DescMessage, Message } from "@bufbuild/protobuf";
import { type JsonValue, toJson } from "@bufbuild/protobuf";
import { stringify } from "yaml";
import { usageError } from "../exit-codes";
import type { Names, ResourceKind } from "../resources/kind";
import { renderTable } from "./table";

/** OUTPUT_FORMATS are the values of `-o`. */
export const OUTPUT_FORMATS = ["table", "wide", "json", "yaml", "name"] as const;

/** OutputFormat is one of OUTPUT_FORMATS. */
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** parseOutputFormat checks a `-o` value. */
export function parseOutputFormat(value: string | undefined): OutputFormat {
  const format = (value ?? "table").toLowerCase();
  if ((OUTPUT_FORMATS as readonly string[]).includes(format)) return format as OutputFormat;
  throw usageError(`-o ${value}: the output format must be one of ${OUTPUT_FORMATS.join(", ")}`);
}

/** jsonOf is a message in the API's JSON shape (the shape `create -f` reads back). */
export function jsonOf(schema: DescMessage, message: Message): JsonValue {
  return toJson(schema, message);
}

/** serialize prints a JSON value as indented JSON or as YAML. */
export function serialize(value: JsonValue | Record<string, unknown>, format: "json" | "yaml"): string {
  return format === "json" ? `${JSON.stringify(value, null, 2)}\n` : stringify(value);
}

/** TableOptions say which optional columns a table shows. */
export interface TableOptions {
  readonly wide: boolean;
  /** spansProjects adds the PROJECT column of project-scoped kinds. */
  readonly spansProjects: boolean;
}

/** tableColumns are the columns a kind's table shows with the given options. */
export function tableColumns(kind: ResourceKind, options: TableOptions) {
  return kind.columns.filter((c) => (!c.wide || options.wide) && (!c.project || options.spansProjects));
}

/** tableRow is one object's cells. */
export function tableRow(kind: ResourceKind, item: Message, names: Names, options: TableOptions): string[] {
  return tableColumns(kind, options).map((c) => c.value(item, names));
}

/** formatItems prints objects of a kind in a format: a table, JSON or YAML ({items: […]}), or kind/name lines. */
export function formatItems(
  kind: ResourceKind,
  items: readonly Message[],
  format: OutputFormat,
  names: Names,
  spansProjects: boolean,
): string {
  switch (format) {
    case "json":
    case "yaml":
      return serialize({ kind: `${kind.kind}List`, items: items.map((i) => jsonOf(kind.schema, i)) }, format);
    case "name":
      return items.map((i) => `${kind.name}/${kind.nameOf(i)}\n`).join("");
    default: {
      const options = { wide: format === "wide", spansProjects };
      const headers = tableColumns(kind, options).map((c) => c.header);
      return renderTable(
        headers,
        items.map((i) => tableRow(kind, i, names, options)),
      );
    }
  }
}

/** formatItem prints one object of a kind: JSON and YAML print the object itself, not a list. */
export function formatItem(kind: ResourceKind, item: Message, format: OutputFormat, names: Names): string {
  if (format === "json" || format === "yaml") return serialize(jsonOf(kind.schema, item), format);
  return formatItems(kind, [item], format, names, false);
}
