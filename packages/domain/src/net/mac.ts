/** MAC_ADDRESS is the pattern of a MAC address as LimiQuantix writes it: six lowercase hex octets joined by ':'. */
export const MAC_ADDRESS = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = (1n << 64n) - 1n;

function fnv1a64(text: string): bigint {
  let h = FNV_OFFSET;
  for (const byte of new TextEncoder().encode(text)) h = ((h ^ BigInt(byte)) * FNV_PRIME) & MASK_64;
  return h;
}

/**
 * generatedMac derives a locally administered unicast MAC address from a seed (a VM id and NIC
 * name, say), so the same NIC always gets the same address. A caller that finds the address taken
 * asks again with the next attempt number, which gives another address for the same seed.
 */
export function generatedMac(seed: string, attempt = 0): string {
  const h = fnv1a64(attempt === 0 ? seed : `${seed}#${attempt}`);
  const octets: number[] = [];
  for (let i = 0; i < 6; i++) octets.push(Number((h >> BigInt(8 * (5 - i))) & 0xffn));
  // Bit 1 of the first octet marks a locally administered address, bit 0 clear keeps it unicast.
  octets[0] = (octets[0]! & 0xfc) | 0x02;
  return octets.map((o) => o.toString(16).padStart(2, "0")).join(":");
}

/** isLocallyAdministeredUnicast says whether a MAC address is locally administered and unicast, as generated ones are. */
export function isLocallyAdministeredUnicast(mac: string): boolean {
  if (!MAC_ADDRESS.test(mac)) return false;
  const first = Number.parseInt(mac.slice(0, 2), 16);
  return (first & 0x02) === 0x02 && (first & 0x01) === 0;
}
