import { compute } from "@limiquantix/api";
import { describe, expect, it } from "vitest";
import { parseTaint } from "./node-commands";

describe("parseTaint", () => {
  it("reads taints to add and to remove, effects spelt either way", () => {
    expect(parseTaint("gpu=true:NoSchedule")).toEqual({
      remove: false,
      key: "gpu",
      value: "true",
      effect: compute.TaintEffect.NO_SCHEDULE,
    });
    expect(parseTaint("dedicated:TAINT_EFFECT_NO_EXECUTE")).toMatchObject({
      key: "dedicated",
      value: "",
      effect: 3,
    });
    expect(parseTaint("gpu-")).toEqual({ remove: true, key: "gpu", value: "", effect: 0 });
    expect(parseTaint("gpu:PreferNoSchedule-")).toMatchObject({ remove: true, effect: 2 });
  });

  it("refuses a taint without an effect, an unknown effect, or an empty key", () => {
    expect(() => parseTaint("gpu=true")).toThrow(/expected KEY\[=VALUE\]:EFFECT/);
    expect(() => parseTaint("gpu:Sometimes")).toThrow(
      /NoSchedule, PreferNoSchedule or NoExecute \(got Sometimes\)/,
    );
    expect(() => parseTaint("=x:NoSchedule")).toThrow(/the key is empty/);
  });
});
