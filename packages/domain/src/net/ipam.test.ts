import { describe, expect, it } from "vitest";
import { addressPlanOf, addressUsage, firstFreeAddress, poolSize, unusableReason } from "./ipam";
import { formatIPv4, parseIPv4 } from "./ipv4";

const ip = (text: string): number => parseIPv4(text)!;

describe("address plans", () => {
  it("never hands out the network, broadcast or gateway address", () => {
    const plan = addressPlanOf({ cidr: "10.0.0.0/29", gateway: "10.0.0.1" });
    const taken: number[] = [];
    for (;;) {
      const next = firstFreeAddress(plan, taken);
      if (next === undefined) break;
      taken.push(next);
    }
    expect(taken.map(formatIPv4)).toEqual(["10.0.0.2", "10.0.0.3", "10.0.0.4", "10.0.0.5", "10.0.0.6"]);
    expect(poolSize(plan)).toBe(5);
  });

  it("draws only from the DHCP range when the network has one, skipping reserved ranges", () => {
    const plan = addressPlanOf({
      cidr: "192.168.1.0/24",
      gateway: "192.168.1.100",
      dhcp: { rangeStart: "192.168.1.98", rangeEnd: "192.168.1.105" },
      reservedRanges: [{ start: "192.168.1.101", end: "192.168.1.102" }],
    });
    const taken: number[] = [];
    for (let next = firstFreeAddress(plan, taken); next !== undefined; next = firstFreeAddress(plan, taken))
      taken.push(next);
    expect(taken.map(formatIPv4)).toEqual([
      "192.168.1.98",
      "192.168.1.99",
      "192.168.1.103",
      "192.168.1.104",
      "192.168.1.105",
    ]);
    expect(poolSize(plan)).toBe(5);
  });

  it("gives a released address out again, lowest first", () => {
    const plan = addressPlanOf({ cidr: "10.1.0.0/24" });
    expect(formatIPv4(firstFreeAddress(plan, [ip("10.1.0.1"), ip("10.1.0.3")])!)).toBe("10.1.0.2");
  });

  it("says why an address cannot be given to a NIC", () => {
    const plan = addressPlanOf({
      cidr: "10.0.0.0/24",
      gateway: "10.0.0.1",
      reservedRanges: [{ start: "10.0.0.10", end: "10.0.0.19" }],
    });
    expect(unusableReason(plan, ip("10.0.1.5"))).toBe("lies outside 10.0.0.0/24");
    expect(unusableReason(plan, ip("10.0.0.0"))).toBe("is the network address of 10.0.0.0/24");
    expect(unusableReason(plan, ip("10.0.0.255"))).toBe("is the broadcast address of 10.0.0.0/24");
    expect(unusableReason(plan, ip("10.0.0.1"))).toBe("is the gateway of 10.0.0.0/24");
    expect(unusableReason(plan, ip("10.0.0.12"))).toBe("lies in the reserved range 10.0.0.10–10.0.0.19");
    expect(unusableReason(plan, ip("10.0.0.20"))).toBeUndefined();
  });

  it("uses every address of a /31 and a /32", () => {
    expect(poolSize(addressPlanOf({ cidr: "10.0.0.0/31" }))).toBe(2);
    expect(poolSize(addressPlanOf({ cidr: "10.0.0.7/32" }))).toBe(1);
    expect(poolSize(addressPlanOf({ cidr: "10.0.0.0/30" }))).toBe(2);
  });

  it("counts a large network without walking it", () => {
    const plan = addressPlanOf({
      cidr: "10.0.0.0/8",
      gateway: "10.0.0.1",
      reservedRanges: [{ start: "10.0.0.1", end: "10.0.0.9" }],
    });
    expect(poolSize(plan)).toBe(2 ** 24 - 2 - 9);
    const taken = Array.from({ length: 1000 }, (_, i) => ip("10.0.0.10") + i);
    expect(formatIPv4(firstFreeAddress(plan, taken)!)).toBe("10.0.3.242");
  });

  it("counts fixed addresses outside the pool as allocated without using up the pool", () => {
    const plan = addressPlanOf({
      cidr: "10.0.0.0/24",
      dhcp: { rangeStart: "10.0.0.100", rangeEnd: "10.0.0.109" },
    });
    expect(addressUsage(plan, [ip("10.0.0.5"), ip("10.0.0.100"), ip("10.0.0.101")])).toEqual({
      size: 10,
      allocated: 3,
      free: 8,
    });
  });
});
