import { describe, expect, it } from "vitest";
import { DEFAULT_SEMI_SPACE_MIB, heapFlags, semiSpaceMib } from "./heap-flags";

describe("heapFlags", () => {
  it("asks for the default semi-space when nothing sets one", () => {
    expect(heapFlags([], {})).toEqual([`--max-semi-space-size=${DEFAULT_SEMI_SPACE_MIB}`]);
    expect(heapFlags(["--import", "tsx"], { LQX_SEMI_SPACE_MIB: "" })).toEqual(["--max-semi-space-size=64"]);
  });

  it("takes the size from LQX_SEMI_SPACE_MIB, and nothing for `default`", () => {
    expect(heapFlags([], { LQX_SEMI_SPACE_MIB: "32" })).toEqual(["--max-semi-space-size=32"]);
    expect(heapFlags([], { LQX_SEMI_SPACE_MIB: "default" })).toEqual([]);
  });

  it("honours a semi-space given on the command line or in NODE_OPTIONS", () => {
    expect(heapFlags(["--max-semi-space-size=8"], { LQX_SEMI_SPACE_MIB: "64" })).toEqual([]);
    expect(heapFlags(["--max_semi_space_size=8"], {})).toEqual([]);
    expect(heapFlags([], { NODE_OPTIONS: "--enable-source-maps --max-semi-space-size=4" })).toEqual([]);
  });

  it("refuses a size that is not a whole number of MiB from 1 to 1024", () => {
    for (const bad of ["0", "1.5", "2048", "lots"])
      expect(() => heapFlags([], { LQX_SEMI_SPACE_MIB: bad })).toThrow(
        `LQX_SEMI_SPACE_MIB must be a whole number of MiB from 1 to 1024, or "default" for Node's own (got "${bad}")`,
      );
  });
});

describe("semiSpaceMib", () => {
  it("reads the size in effect, the command line winning over NODE_OPTIONS", () => {
    expect(semiSpaceMib([], {})).toBeUndefined();
    expect(semiSpaceMib([], { NODE_OPTIONS: "--max-semi-space-size=4" })).toBe(4);
    expect(semiSpaceMib(["--max-semi-space-size=32"], { NODE_OPTIONS: "--max-semi-space-size=4" })).toBe(32);
  });
});
