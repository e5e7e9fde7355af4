import { describe, expect, it } from "vitest";
import { ErrorCode, hasErrorCode } from "./errors";
import { listPage } from "./list-page";
import { encodeCursor } from "./ports/pagination";
import { RESOURCES } from "./resources";

const vm = (id: string, env: string, powerState = "RUNNING") =>
  ({
    id,
    name: id,
    projectId: "p1",
    labels: { env },
    resourceVersion: 1,
    createdAt: "",
    updatedAt: "",
    spec: {},
    status: { powerState },
  }) as never;
const rows = [vm("a", "prod"), vm("b", "dev"), vm("c", "prod"), vm("d", "prod", "STOPPED"), vm("e", "prod")];

describe("listPage", () => {
  it("pages the matching resources in id order, with the total and a cursor to the next page", () => {
    const first = listPage(RESOURCES.VirtualMachine, rows, { labelSelector: "env=prod" }, { limit: 2 });
    expect(first.items.map((r: { id: string }) => r.id)).toEqual(["a", "c"]);
    expect(first.total).toBe(4);
    const second = listPage(
      RESOURCES.VirtualMachine,
      rows,
      { labelSelector: "env=prod" },
      { limit: 2, cursor: first.nextCursor! },
    );
    expect(second.items.map((r: { id: string }) => r.id)).toEqual(["d", "e"]);
    expect(second).not.toHaveProperty("nextCursor");
    expect(second.total).toBe(4);
  });

  it("applies states and equality filters and maps the items it returns", () => {
    const page = listPage(
      RESOURCES.VirtualMachine,
      rows,
      { projectId: "p1", states: ["STOPPED"] },
      {},
      (r) =>
        ({
          ...(r as object),
          mapped: true,
        }) as never,
    );
    expect(page.items).toEqual([expect.objectContaining({ id: "d", mapped: true })]);
    expect(page.total).toBe(1);
  });

  it("refuses a filter the kind does not support, a page too large and a cursor of another list", () => {
    const refused = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return hasErrorCode(e, ErrorCode.InvalidArgument);
      }
      return false;
    };
    expect(refused(() => listPage(RESOURCES.Node, [], { projectId: "p1" }, {}))).toBe(true);
    expect(refused(() => listPage(RESOURCES.VirtualMachine, rows, {}, { limit: 1001 }))).toBe(true);
    const nodeCursor = encodeCursor({ scope: "Node", key: "a", id: "a" });
    expect(refused(() => listPage(RESOURCES.VirtualMachine, rows, {}, { cursor: nodeCursor }))).toBe(true);
  });
});
