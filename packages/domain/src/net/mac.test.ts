import { describe, expect, it } from "vitest";
import { generatedMac, isLocallyAdministeredUnicast, MAC_ADDRESS } from "./mac";

describe("generated MAC addresses", () => {
  it("are stable for a seed and locally administered unicast", () => {
    const mac = generatedMac("vm-1/eth0");
    expect(mac).toMatch(MAC_ADDRESS);
    expect(generatedMac("vm-1/eth0")).toBe(mac);
    expect(isLocallyAdministeredUnicast(mac)).toBe(true);
  });

  it("differ between NICs, and between attempts for one NIC", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) seen.add(generatedMac(`vm-${i}/eth0`));
    expect(seen.size).toBe(2000);
    for (const mac of seen) expect(isLocallyAdministeredUnicast(mac)).toBe(true);
    expect(generatedMac("vm-1/eth0", 1)).not.toBe(generatedMac("vm-1/eth0"));
  });

  it("recognises globally administered and multicast addresses", () => {
    expect(isLocallyAdministeredUnicast("00:16:3e:00:00:01")).toBe(false);
    expect(isLocallyAdministeredUnicast("03:00:00:00:00:01")).toBe(false);
    expect(isLocallyAdministeredUnicast("52:54:00:12:34:56")).toBe(true);
  });
});
