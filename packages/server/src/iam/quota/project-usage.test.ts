import { ErrorCode } from "@limiquantix/domain";
import { describe, expect, it } from "vitest";
import { applyDelta, growth, hasLimits, NO_USAGE, quotaRefusal, released, sameLimits } from "./project-usage";

const project = { id: "p1", name: "acme", quota: { vms: 2, memoryMib: 4096 } };

describe("project usage arithmetic", () => {
  it("allows growth up to a limit exactly, and refuses one unit more with the quota's facts", () => {
    const used = { ...NO_USAGE, vms: 1, memoryMib: 2048 };
    expect(quotaRefusal(project, used, { vms: 1, memoryMib: 2048 })).toBeUndefined();
    const e = quotaRefusal(project, used, { vms: 1, memoryMib: 2049 });
    expect(e?.code).toBe(ErrorCode.ResourceExhausted);
    expect(e?.message).toBe(
      'project "acme" quota memoryMib is 4096: 2048 in use, this call asks for 2049 more; delete some or raise the quota with UpdateProject',
    );
    expect(e?.details).toMatchObject({ quota: "memoryMib", limit: 4096, used: 2048, requested: 2049 });
  });

  it("names VMs first when several limits are passed, and ignores dimensions without a limit", () => {
    const used = { ...NO_USAGE, vms: 2, memoryMib: 4096, vcpus: 1000 };
    expect(quotaRefusal(project, used, { vms: 1, memoryMib: 1, vcpus: 64 })?.details.quota).toBe("vms");
    expect(quotaRefusal(project, used, { vcpus: 64, storageGib: 1000 })).toBeUndefined();
  });

  it("never refuses a shrink, even over a lowered limit, and never counts below zero", () => {
    const over = { ...NO_USAGE, vms: 5, memoryMib: 9000 };
    expect(quotaRefusal(project, over, released({ vms: 1, memoryMib: 512 }))).toBeUndefined();
    expect(applyDelta(NO_USAGE, { vms: -1, storageGib: -10 })).toEqual(NO_USAGE);
  });

  it("takes a resize's growth as the difference of what the resource takes before and after", () => {
    expect(growth({ vms: 1, vcpus: 2, memoryMib: 1024 }, { vms: 1, vcpus: 4, memoryMib: 512 })).toEqual({
      vcpus: 2,
      memoryMib: -512,
    });
  });

  it("tells a quota with a limit from one without, and compares limits regardless of key order", () => {
    expect(hasLimits({})).toBe(false);
    expect(hasLimits({ volumes: 0 })).toBe(true);
    expect(sameLimits({ vms: 1, vcpus: 2 }, { vcpus: 2, vms: 1 })).toBe(true);
    expect(sameLimits({ vms: 1 }, { vms: 1, vcpus: 2 })).toBe(false);
  });
});
