/** parseIPv4 reads a dotted-quad IPv4 address into a 32-bit unsigned number, or undefined when it is not one. */
export function parseIPv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(p)) return undefined;
    const octet = Number(p);
    if (octet > 255) return undefined;
    n = n * 256 + octet;
  }
  return n;
}

/** formatIPv4 renders a 32-bit unsigned number as a dotted quad. */
export function formatIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** Cidr is a parsed IPv4 network. */
export interface Cidr {
  readonly network: number;
  readonly prefix: number;
  /** First address of the network. */
  readonly first: number;
  /** Last (broadcast) address of the network. */
  readonly last: number;
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** parseCidr reads `a.b.c.d/n`; it returns a reason instead of a Cidr when the text is not a network address. */
export function parseCidr(text: string): Cidr | { readonly error: string } {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (!m) return { error: "must be an IPv4 CIDR such as 10.0.0.0/24" };
  const addr = parseIPv4(m[1]!);
  const prefix = Number(m[2]);
  if (addr === undefined) return { error: "must be an IPv4 CIDR such as 10.0.0.0/24" };
  if (prefix > 32) return { error: "prefix length must be at most 32" };
  const mask = maskOf(prefix);
  const network = (addr & mask) >>> 0;
  if (network !== addr)
    return {
      error: `must be a network address: host bits are set (did you mean ${formatIPv4(network)}/${prefix}?)`,
    };
  return { network, prefix, first: network, last: (network | (~mask >>> 0)) >>> 0 };
}

/** isCidr narrows the result of parseCidr. */
export function isCidr(value: Cidr | { readonly error: string }): value is Cidr {
  return !("error" in value);
}

/** cidrContains says whether an address lies inside a network. */
export function cidrContains(cidr: Cidr, address: number): boolean {
  return address >= cidr.first && address <= cidr.last;
}

/** cidrsOverlap says whether two networks share any address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.first <= b.last && b.first <= a.last;
}
