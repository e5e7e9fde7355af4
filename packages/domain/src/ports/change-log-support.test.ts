import { describe, expect, it } from "vitest";
import { DomainError } from "../errors";
import {
  checkCompaction,
  checkReadLimit,
  checkRevision,
  isRevisionCompacted,
  MAX_CHANGE_LOG_READ,
  REVISION_COMPACTED,
  revisionCompacted,
} from "./change-log-support";

describe("change log support", () => {
  it("revisionCompacted is FailedPrecondition naming the oldest revision and saying to list again", () => {
    const error = revisionCompacted(3, 40);
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe("FailedPrecondition");
    expect(error.details).toMatchObject({ reason: REVISION_COMPACTED, oldestRevision: 40, revision: 3 });
    expect(error.message).toMatch(/revision 3 is too old/);
    expect(error.message).toMatch(/after revision 40/);
    expect(error.message).toMatch(/list again/);
    expect(isRevisionCompacted(error)).toBe(true);
    expect(isRevisionCompacted(new Error("x"))).toBe(false);
  });

  it("checkRevision accepts 0 and positive integers and refuses the rest with InvalidArgument", () => {
    expect(checkRevision(0)).toBe(0);
    expect(checkRevision(17)).toBe(17);
    for (const bad of [-1, 1.5, Number.NaN, "3", undefined, 2 ** 60])
      expect(() => checkRevision(bad)).toThrow(expect.objectContaining({ code: "InvalidArgument" }));
    expect(() => checkRevision(-1)).toThrow(/afterRevision must be a revision/);
  });

  it("checkReadLimit accepts 1 to the maximum", () => {
    expect(checkReadLimit(1)).toBe(1);
    expect(checkReadLimit(MAX_CHANGE_LOG_READ)).toBe(MAX_CHANGE_LOG_READ);
    for (const bad of [0, MAX_CHANGE_LOG_READ + 1, 2.5, "10"])
      expect(() => checkReadLimit(bad)).toThrow(expect.objectContaining({ code: "InvalidArgument" }));
  });

  it("checkCompaction accepts non-negative integer bounds and names each bad one", () => {
    expect(checkCompaction({})).toEqual({});
    expect(checkCompaction({ maxAgeMs: 0, maxEntries: 10 })).toEqual({ maxAgeMs: 0, maxEntries: 10 });
    expect(() => checkCompaction({ maxAgeMs: -1, maxEntries: 1.5 })).toThrow(/maxAgeMs.*maxEntries/);
  });
});
