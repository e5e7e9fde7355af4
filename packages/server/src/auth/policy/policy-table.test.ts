import { API_SERVICES } from "@limiquantix/api";
import { RESOURCE_KINDS } from "@limiquantix/domain";
import { describe, expect, it } from "vitest";
import { POLICY } from "./policy-table";

const HEALTH = ["grpc.health.v1.Health/Check", "grpc.health.v1.Health/Watch"];

const methods = API_SERVICES.flatMap((s) =>
  s.methods.map((m) => ({ key: `${s.typeName}/${m.name}`, method: m })),
);

describe("the access policy table", () => {
  it("has an entry for every RPC of every proto, and none for an RPC that does not exist", () => {
    const missing = methods.map((m) => m.key).filter((k) => !(k in POLICY));
    expect(missing).toEqual([]);
    const known = new Set([...methods.map((m) => m.key), ...HEALTH]);
    expect(Object.keys(POLICY).filter((k) => !known.has(k))).toEqual([]);
  });

  it("names request fields that exist, as strings, and kinds that exist", () => {
    const problems: string[] = [];
    for (const { key, method } of methods) {
      const rule = POLICY[key];
      if (!rule) continue;
      if ("kind" in rule && rule.kind && !RESOURCE_KINDS.includes(rule.kind))
        problems.push(`${key}: kind ${rule.kind}`);
      if (rule.access !== "project") continue;
      const field = method.input.fields.find((f) => f.localName === rule.target.field);
      if (!field || field.fieldKind !== "scalar")
        problems.push(`${key}: no string field ${rule.target.field}`);
    }
    expect(problems).toEqual([]);
  });

  it("audits every call that changes something and no read", () => {
    const reads = /^(Get|List|Watch|Stream|WhoAmI|Check)/;
    const wrong = Object.entries(POLICY)
      .filter(([key, rule]) => {
        const name = key.split("/")[1] as string;
        if (name === "Refresh" || name === "Heartbeat") return rule.audited; // deliberately not audited
        return reads.test(name) === rule.audited;
      })
      .map(([key]) => key);
    expect(wrong).toEqual([]);
  });
});
