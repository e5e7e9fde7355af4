import { type Cidr, cidrContains, formatIPv4, isCidr, parseCidr, parseIPv4 } from "./ipv4";

/** AddressRange is an inclusive range of IPv4 addresses, as 32-bit numbers. */
export interface AddressRange {
  readonly first: number;
  readonly last: number;
}

/** ReservedRange is a range of addresses no NIC is given, with the reason it is held back. */
export interface ReservedRange extends AddressRange {
  /** Why the range is held back, as a message fragment: `is the gateway`, `lies in the reserved range …`. */
  readonly why: string;
}

/** AddressPlanInput is the part of a network's spec that decides which addresses its NICs may have. */
export interface AddressPlanInput {
  readonly cidr: string;
  readonly gateway?: string | undefined;
  readonly dhcp?:
    | { readonly rangeStart?: string | undefined; readonly rangeEnd?: string | undefined }
    | undefined;
  readonly reservedRanges?: readonly { readonly start: string; readonly end: string }[] | undefined;
}

/**
 * AddressPlan says which addresses of a network its NICs may have: any address of the CIDR that
 * is not reserved (the network and broadcast addresses, the gateway, the reserved ranges), and,
 * for addresses the allocator chooses, only those of the pool.
 */
export interface AddressPlan {
  readonly cidr: Cidr;
  /** The range automatic allocation draws from: the DHCP range when the network has one, else the whole CIDR. */
  readonly pool: AddressRange;
  /** Addresses no NIC is given, in the order they were declared (they may overlap). */
  readonly reserved: readonly ReservedRange[];
}

/** AddressUsage counts a network's addresses. */
export interface AddressUsage {
  /** How many addresses the allocator can hand out in all: the pool without its reserved addresses. */
  readonly size: number;
  /** How many addresses are allocated, fixed ones outside the pool included. */
  readonly allocated: number;
  /** How many addresses of the pool are still free. */
  readonly free: number;
}

function ip(text: string, field: string): number {
  const n = parseIPv4(text);
  if (n === undefined) throw new RangeError(`${field} must be an IPv4 address (got ${text})`);
  return n;
}

/**
 * addressPlanOf derives the address plan of a network from its spec. The spec must already be
 * valid (the entity schema checks that the gateway, DHCP range and reserved ranges lie inside the
 * CIDR); an unparsable address throws RangeError.
 */
export function addressPlanOf(spec: AddressPlanInput): AddressPlan {
  const cidr = parseCidr(spec.cidr);
  if (!isCidr(cidr)) throw new RangeError(`cidr ${cidr.error} (got ${spec.cidr})`);
  const reserved: ReservedRange[] = [];
  // A /31 or /32 has no network or broadcast address (RFC 3021): every address is a host's.
  if (cidr.prefix < 31) {
    reserved.push({ first: cidr.first, last: cidr.first, why: `is the network address of ${spec.cidr}` });
    reserved.push({ first: cidr.last, last: cidr.last, why: `is the broadcast address of ${spec.cidr}` });
  }
  if (spec.gateway !== undefined) {
    const g = ip(spec.gateway, "gateway");
    reserved.push({ first: g, last: g, why: `is the gateway of ${spec.cidr}` });
  }
  for (const r of spec.reservedRanges ?? [])
    reserved.push({
      first: ip(r.start, "reservedRanges.start"),
      last: ip(r.end, "reservedRanges.end"),
      why: `lies in the reserved range ${r.start}–${r.end}`,
    });
  const start = spec.dhcp?.rangeStart;
  const end = spec.dhcp?.rangeEnd;
  const pool = {
    first: start !== undefined ? Math.max(cidr.first, ip(start, "dhcp.rangeStart")) : cidr.first,
    last: end !== undefined ? Math.min(cidr.last, ip(end, "dhcp.rangeEnd")) : cidr.last,
  };
  return { cidr, pool, reserved };
}

/** cidrText renders a plan's CIDR as `a.b.c.d/n`. */
export function cidrText(plan: AddressPlan): string {
  return `${formatIPv4(plan.cidr.network)}/${plan.cidr.prefix}`;
}

/**
 * unusableReason says why an address may not be given to a NIC of the network (outside the CIDR,
 * its network or broadcast address, its gateway, in a reserved range), or undefined when it may.
 * Addresses outside the pool are usable: the pool bounds only what the allocator chooses.
 */
export function unusableReason(plan: AddressPlan, address: number): string | undefined {
  if (!cidrContains(plan.cidr, address)) return `lies outside ${cidrText(plan)}`;
  return plan.reserved.find((r) => address >= r.first && address <= r.last)?.why;
}

/** mergeRanges sorts ranges and joins those that overlap or touch. */
function mergeRanges(ranges: Iterable<AddressRange>): AddressRange[] {
  const sorted = [...ranges].sort((a, b) => a.first - b.first);
  const out: { first: number; last: number }[] = [];
  for (const r of sorted) {
    const top = out[out.length - 1];
    if (top && r.first <= top.last + 1) top.last = Math.max(top.last, r.last);
    else out.push({ first: r.first, last: r.last });
  }
  return out;
}

/**
 * firstFreeAddress returns the lowest address of the pool that is neither reserved nor taken, or
 * undefined when there is none. It works on ranges, so its cost follows the number of reserved
 * ranges and taken addresses, never the size of the network.
 */
export function firstFreeAddress(plan: AddressPlan, taken: Iterable<number>): number | undefined {
  const blocked = [...plan.reserved, ...[...taken].map((t) => ({ first: t, last: t }))].sort(
    (a, b) => a.first - b.first,
  );
  let candidate = plan.pool.first;
  for (const b of blocked) {
    if (b.last < candidate) continue;
    if (b.first > candidate) break;
    candidate = b.last + 1;
  }
  return candidate <= plan.pool.last ? candidate : undefined;
}

/** poolSize counts the addresses the allocator can hand out: the pool without its reserved addresses. */
export function poolSize(plan: AddressPlan): number {
  const { first, last } = plan.pool;
  if (last < first) return 0;
  let size = last - first + 1;
  for (const r of mergeRanges(plan.reserved)) {
    const lo = Math.max(r.first, first);
    const hi = Math.min(r.last, last);
    if (lo <= hi) size -= hi - lo + 1;
  }
  return size;
}

/** inPool says whether the allocator could have chosen an address: inside the pool and not reserved. */
export function inPool(plan: AddressPlan, address: number): boolean {
  return (
    address >= plan.pool.first && address <= plan.pool.last && unusableReason(plan, address) === undefined
  );
}

/** addressUsage counts a network's addresses from its plan and the addresses allocated on it. */
export function addressUsage(plan: AddressPlan, allocated: Iterable<number>): AddressUsage {
  const size = poolSize(plan);
  let count = 0;
  let fromPool = 0;
  for (const a of allocated) {
    count += 1;
    if (inPool(plan, a)) fromPool += 1;
  }
  return { size, allocated: count, free: Math.max(0, size - fromPool) };
}
