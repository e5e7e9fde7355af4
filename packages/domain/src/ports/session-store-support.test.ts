import { describe, expect, it } from "vitest";
import { ErrorCode } from "../errors";
import {
  checkNewAuthSession,
  checkRotation,
  checkSessionId,
  MAX_SESSION_DATA_BYTES,
  newSessionId,
} from "./session-store-support";

describe("session store support", () => {
  it("newSessionId makes 43 base64url characters, a new value every time, that checkSessionId accepts", () => {
    const ids = new Set(Array.from({ length: 100 }, () => newSessionId()));
    expect(ids.size).toBe(100);
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(checkSessionId(id)).toBe(id);
    }
  });

  it("checkNewAuthSession returns data as its JSON round trip, with its JSON text", () => {
    const checked = checkNewAuthSession({
      userId: "u",
      secretHash: "h",
      ttlMs: 1000,
      data: { a: 1, gone: undefined, at: new Date(0) },
    });
    expect(checked.data).toEqual({ a: 1, at: "1970-01-01T00:00:00.000Z" });
    expect(checked.dataJson).toBe('{"a":1,"at":"1970-01-01T00:00:00.000Z"}');
    expect(checkNewAuthSession({ userId: "u", secretHash: "h", ttlMs: 1 }).dataJson).toBe("{}");
  });

  it("checkNewAuthSession names every bad field in one InvalidArgument", () => {
    expect(() => checkNewAuthSession({ userId: "", secretHash: "", ttlMs: 0 })).toThrow(
      'invalid new session: userId must not be empty (got ""); secretHash must not be empty (got ""); ttlMs must be greater than 0 (got 0)',
    );
  });

  it("data may take up to MAX_SESSION_DATA_BYTES of JSON, counted in bytes", () => {
    const fits = { s: "x".repeat(MAX_SESSION_DATA_BYTES - 8) };
    expect(JSON.stringify(fits)).toHaveLength(MAX_SESSION_DATA_BYTES);
    expect(checkNewAuthSession({ userId: "u", secretHash: "h", ttlMs: 1, data: fits }).data).toEqual(fits);
    const wide = { s: "é".repeat(MAX_SESSION_DATA_BYTES / 2) };
    expect(() => checkNewAuthSession({ userId: "u", secretHash: "h", ttlMs: 1, data: wide })).toThrow(
      /data must be at most 4096 bytes of JSON \(got 4104\)/,
    );
  });

  it("checkRotation refuses a next hash equal to the presented one", () => {
    try {
      checkRotation(newSessionId(), "same", "same", 1000);
      expect.fail("checkRotation accepted an unchanged hash");
    } catch (error) {
      expect(error).toMatchObject({
        code: ErrorCode.InvalidArgument,
        details: { fieldViolations: [{ field: "nextSecretHash" }] },
      });
    }
  });
});
