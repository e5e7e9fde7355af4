// Writes proto/buf/validate/validate.proto from the file descriptor embedded in @bufbuild/protovalidate.
// That npm package ships generated code but not the .proto source, so the source is printed back
// from the descriptor: same messages, field numbers, extensions and predefined CEL rules, no comments.
// Run with `pnpm vendor:protovalidate` after upgrading @bufbuild/protovalidate.
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fromBinary, isFieldSet } from "@bufbuild/protobuf";
import { BinaryReader } from "@bufbuild/protobuf/wire";
import type {
  DescriptorProto,
  EnumDescriptorProto,
  FieldDescriptorProto,
  FieldOptions,
} from "@bufbuild/protobuf/wkt";
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FieldDescriptorProtoSchema,
  FieldOptionsSchema,
} from "@bufbuild/protobuf/wkt";
import {
  file_buf_validate_validate,
  PredefinedRulesSchema,
} from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";

const PREDEFINED_EXTENSION = 1160;
const EXTENSION_MAX = 536_870_912;

const file = file_buf_validate_validate.proto;
const out: string[] = [];

function quote(s: string): string {
  return JSON.stringify(s);
}

function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function inOneofIndex(f: FieldDescriptorProto): number | undefined {
  return isFieldSet(f, FieldDescriptorProtoSchema.field.oneofIndex) ? f.oneofIndex : undefined;
}

function typeOf(f: FieldDescriptorProto): string {
  if (f.typeName !== "") return f.typeName;
  const name = FieldDescriptorProto_Type[f.type];
  if (name === undefined) throw new Error(`unknown field type ${f.type} on ${f.name}`);
  return name.toLowerCase();
}

function predefinedRules(options: FieldOptions): string[] {
  const printed: string[] = [];
  for (const u of options.$unknown ?? []) {
    if (u.no !== PREDEFINED_EXTENSION) throw new Error(`unexpected field option ${u.no}`);
    // An unknown length-delimited field keeps its length prefix.
    const rules = fromBinary(PredefinedRulesSchema, new BinaryReader(u.data).bytes());
    const cel = rules.cel.map((r) => {
      const parts = [`id: ${quote(r.id)}`];
      if (r.message !== "") parts.push(`message: ${quote(r.message)}`);
      parts.push(`expression: ${quote(r.expression)}`);
      return `{${parts.join(" ")}}`;
    });
    printed.push(`(buf.validate.predefined) = {cel: [${cel.join(", ")}]}`);
  }
  return printed;
}

function fieldOptions(f: FieldDescriptorProto): string {
  const opts: string[] = [];
  if (isFieldSet(f, FieldDescriptorProtoSchema.field.defaultValue)) {
    const plain = f.type !== FieldDescriptorProto_Type.STRING && f.type !== FieldDescriptorProto_Type.BYTES;
    opts.push(`default = ${plain ? f.defaultValue : quote(f.defaultValue)}`);
  }
  if (isFieldSet(f, FieldDescriptorProtoSchema.field.jsonName) && f.jsonName !== camel(f.name))
    opts.push(`json_name = ${quote(f.jsonName ?? "")}`);
  if (f.options) {
    if (isFieldSet(f.options, FieldOptionsSchema.field.packed)) opts.push(`packed = ${f.options.packed}`);
    if (f.options.deprecated) opts.push("deprecated = true");
    opts.push(...predefinedRules(f.options));
  }
  return opts.length === 0 ? "" : ` [${opts.join(", ")}]`;
}

function printField(f: FieldDescriptorProto, indent: string, inOneof: boolean): void {
  const label = inOneof
    ? ""
    : f.label === FieldDescriptorProto_Label.REPEATED
      ? "repeated "
      : f.label === FieldDescriptorProto_Label.REQUIRED
        ? "required "
        : "optional ";
  out.push(`${indent}${label}${typeOf(f)} ${f.name} = ${f.number}${fieldOptions(f)};`);
}

function printEnum(e: EnumDescriptorProto, indent: string): void {
  out.push(`${indent}enum ${e.name} {`);
  for (const v of e.value) out.push(`${indent}  ${v.name} = ${v.number};`);
  // Unlike message ranges, enum reserved ranges include their end.
  for (const r of e.reservedRange)
    out.push(`${indent}  reserved ${r.end === r.start ? r.start : `${r.start} to ${r.end}`};`);
  if (e.reservedName.length > 0) out.push(`${indent}  reserved ${e.reservedName.map(quote).join(", ")};`);
  out.push(`${indent}}`);
}

function printMessage(m: DescriptorProto, indent: string): void {
  if (m.options?.$unknown?.length) throw new Error(`unexpected message options on ${m.name}`);
  out.push(`${indent}message ${m.name} {`);
  const inner = `${indent}  `;
  for (const n of m.nestedType) printMessage(n, inner);
  for (const e of m.enumType) printEnum(e, inner);
  // Members of a oneof are declared together, so the block opens where its first member stands.
  const printed = new Set<number>();
  for (const f of m.field) {
    const index = inOneofIndex(f);
    if (index === undefined) {
      printField(f, inner, false);
      continue;
    }
    if (printed.has(index)) continue;
    printed.add(index);
    out.push(`${inner}oneof ${m.oneofDecl[index]?.name} {`);
    for (const member of m.field.filter((g) => inOneofIndex(g) === index))
      printField(member, `${inner}  `, true);
    out.push(`${inner}}`);
  }
  for (const r of m.extensionRange)
    out.push(`${inner}extensions ${r.start} to ${r.end === EXTENSION_MAX ? "max" : r.end - 1};`);
  for (const r of m.reservedRange)
    out.push(`${inner}reserved ${r.end - 1 === r.start ? r.start : `${r.start} to ${r.end - 1}`};`);
  if (m.reservedName.length > 0) out.push(`${inner}reserved ${m.reservedName.map(quote).join(", ")};`);
  out.push(`${indent}}`);
}

out.push("// Copyright 2023-2025 Buf Technologies, Inc. Licensed under the Apache License, Version 2.0.");
out.push(
  "// Printed by scripts/vendor-protovalidate.ts from the descriptor shipped in @bufbuild/protovalidate.",
);
out.push("// Do not edit: run `pnpm vendor:protovalidate` instead.");
out.push('syntax = "proto2";', "", `package ${file.package};`, "");
for (const d of file.dependency) out.push(`import ${quote(d)};`);
out.push("");
const fo = file.options;
if (fo?.goPackage) out.push(`option go_package = ${quote(fo.goPackage)};`);
if (fo?.javaMultipleFiles) out.push("option java_multiple_files = true;");
if (fo?.javaOuterClassname) out.push(`option java_outer_classname = ${quote(fo.javaOuterClassname)};`);
if (fo?.javaPackage) out.push(`option java_package = ${quote(fo.javaPackage)};`);
out.push("");
for (const x of file.extension) {
  out.push(`extend ${x.extendee} {`);
  printField(x, "  ", false);
  out.push("}");
}
for (const m of file.messageType) printMessage(m, "");
for (const e of file.enumType) printEnum(e, "");

const target = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "proto",
  "buf",
  "validate",
  "validate.proto",
);
writeFileSync(target, `${out.join("\n")}\n`);
console.log(`wrote ${target}`);
