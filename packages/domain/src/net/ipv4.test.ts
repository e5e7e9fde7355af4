import { describe, expect, it } from "vitest";
import { cidrContains, cidrsOverlap, formatIPv4, isCidr, parseCidr, parseIPv4, type Cidr } from "./ipv4";

function cidr(text: string): Cidr {
  const c = parseCidr(text);
  if (!isCidr(c)) throw new Error(c.error);
  return c;
}

describe("IPv4", () => {
  it("parses and formats addresses", () => {
    expect(parseIPv4("192.168.1.10")).toBe(0xc0a8010a);
    expect(formatIPv4(0xc0a8010a)).toBe("192.168.1.10");
  });

  it("refuses malformed addresses", () => {
    for (const bad of ["256.1.1.1", "1.2.3", "01.2.3.4", "a.b.c.d", "1.2.3.4.5", ""])
      expect(parseIPv4(bad)).toBeUndefined();
  });

  it("parses networks and their bounds", () => {
    const c = cidr("10.0.0.0/24");
    expect(formatIPv4(c.first)).toBe("10.0.0.0");
    expect(formatIPv4(c.last)).toBe("10.0.0.255");
    expect(cidrContains(c, parseIPv4("10.0.0.77")!)).toBe(true);
    expect(cidrContains(c, parseIPv4("10.0.1.0")!)).toBe(false);
    expect(cidr("0.0.0.0/0").last).toBe(0xffffffff);
  });

  it("refuses host bits, long prefixes and junk", () => {
    expect(parseCidr("10.0.0.1/24")).toEqual({
      error: "must be a network address: host bits are set (did you mean 10.0.0.0/24?)",
    });
    expect(isCidr(parseCidr("10.0.0.0/33"))).toBe(false);
    expect(isCidr(parseCidr("10.0.0.0"))).toBe(false);
  });

  it("detects overlapping networks", () => {
    expect(cidrsOverlap(cidr("10.0.0.0/16"), cidr("10.0.5.0/24"))).toBe(true);
    expect(cidrsOverlap(cidr("10.0.0.0/24"), cidr("10.0.1.0/24"))).toBe(false);
  });
});
