import { equals } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { file_buf_validate_validate as upstream } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { describe, expect, it } from "vitest";
import { file_buf_validate_validate as vendored } from "./gen/buf/validate/validate_pb";

// proto/buf/validate/validate.proto is printed back from @bufbuild/protovalidate's descriptor;
// compiling it must give that descriptor again, or protovalidate would read our rules differently.
describe("vendored buf/validate/validate.proto", () => {
  it("compiles to the same messages, fields and extensions as @bufbuild/protovalidate ships", () => {
    expect(vendored.messages.map((m) => m.typeName)).toEqual(upstream.messages.map((m) => m.typeName));
    for (const [i, m] of vendored.messages.entries()) {
      const theirs = upstream.messages[i];
      expect(
        m.fields.map((f) => [f.name, f.number, f.fieldKind]),
        m.typeName,
      ).toEqual(theirs?.fields.map((f) => [f.name, f.number, f.fieldKind]));
    }
    expect(vendored.extensions.map((x) => [x.typeName, x.number])).toEqual(
      upstream.extensions.map((x) => [x.typeName, x.number]),
    );
  });

  it("carries the predefined rules byte for byte", () => {
    expect(equals(FileDescriptorProtoSchema, vendored.proto, upstream.proto)).toBe(true);
  });
});
