import { compute, iam } from "@limiquantix/api";
import { describe, expect, it } from "vitest";
import { CliError } from "../exit-codes";
import { parseManifests, requestOf } from "./manifest";

describe("parseManifests", () => {
  it("reads YAML documents, a JSON list and a get -o json listing, taking kind apart", () => {
    expect(parseManifests("kind: Project\nname: a\n---\nkind: Project\nname: b\n", "f.yaml")).toEqual([
      { where: "f.yaml (document 1)", kind: "Project", body: { name: "a" } },
      { where: "f.yaml (document 2)", kind: "Project", body: { name: "b" } },
    ]);
    expect(parseManifests('[{"name":"a"}]', "f.json")).toEqual([
      { where: "f.json (item 1)", body: { name: "a" } },
    ]);
    expect(parseManifests('{"kind":"ProjectList","items":[{"name":"a"}]}', "l.json")).toEqual([
      { where: "l.json (item 1)", body: { name: "a" } },
    ]);
  });

  it("refuses an empty file, broken YAML or JSON, and things that are not objects, saying where", () => {
    const message = (text: string) => {
      try {
        parseManifests(text, "f");
        return "no error";
      } catch (e) {
        expect(e).toBeInstanceOf(CliError);
        expect((e as CliError).exitCode).toBe(2);
        return (e as CliError).message;
      }
    };
    expect(message("  \n")).toBe("f: the file is empty");
    expect(message("name: [a\n")).toMatch(/^f: not valid YAML: /);
    expect(message('{"name": }')).toMatch(/^f: not valid JSON: /);
    expect(message("- 1\n- 2\n")).toBe("f (item 1): expected an object with the request's fields");
    expect(message("kind: 3\nname: a\n")).toBe("f: kind must be a string");
  });
});

describe("requestOf", () => {
  it("decodes the API's JSON shape, proto names and lowerCamelCase alike", () => {
    const [m] = parseManifests("name: web\nspec: { vcpus: 2, memory_mib: 2048 }\n", "vm.yaml");
    const request = requestOf(compute.CreateVMRequestSchema, m!) as compute.CreateVMRequest;
    expect(request.spec).toMatchObject({ vcpus: 2, memoryMib: 2048n });
  });

  it("names the field that is unknown or of the wrong type", () => {
    const [unknown] = parseManifests("name: a\ncolour: blue\n", "p.yaml");
    expect(() => requestOf(iam.CreateProjectRequestSchema, unknown!)).toThrow(
      /^p\.yaml: .*"colour" is unknown/,
    );
    const [wrong] = parseManifests("name: a\nspec: { vcpus: many }\n", "vm.yaml");
    expect(() => requestOf(compute.CreateVMRequestSchema, wrong!)).toThrow(
      /^vm\.yaml: cannot read .*VmSpec\.vcpus/,
    );
  });
});
