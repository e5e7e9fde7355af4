import {
  type AddressAllocation,
  type AddressPlan,
  DomainError,
  ErrorCode,
  type Repositories,
  type VirtualMachine,
  type VirtualNetwork,
  type VmNicStatus,
  addressPlanOf,
  cidrText,
  firstFreeAddress,
  formatIPv4,
  generatedMac,
  invalidArgument,
  parseIPv4,
  poolSize,
  unusableReason,
} from "@limiquantix/domain";

/** VmAddresses is what allocating a VM's addresses produced: each NIC's status, and the networks whose allocations changed. */
export interface VmAddresses {
  /** One entry per NIC of the VM, in the order of its spec. */
  readonly nics: readonly VmNicStatus[];
  readonly networks: readonly VirtualNetwork[];
}

/** MAX_MAC_ATTEMPTS bounds the search for a generated MAC address no other NIC of the network holds. */
const MAX_MAC_ATTEMPTS = 64;

interface NicRef {
  readonly index: number;
  readonly nic: VirtualMachine["spec"]["nics"][number];
}

/**
 * allocateVmAddresses gives each NIC of a VM being created an address and a MAC address on its
 * network, and records them in the networks' allocations. It runs inside the unit of work that
 * creates the VM: each network is read (locked, on a store whose units of work lock what they
 * read) and written back under its resourceVersion, so two VMs created at once never get the same
 * address (a write over a network changed since it was read fails with Conflict, and placement
 * runs again on a fresh read). A NIC's fixed address (`spec.nics[i].ipAddress`) must lie inside the CIDR and
 * not be reserved (InvalidArgument) nor held by another NIC (AlreadyExists); other NICs get the
 * lowest free address of the network's pool, or ResourceExhausted naming the network and its size.
 * A NIC without a MAC address gets a stable locally administered one, unique within the network.
 */
export async function allocateVmAddresses(tx: Repositories, vm: VirtualMachine): Promise<VmAddresses> {
  const byNetwork = new Map<string, NicRef[]>();
  vm.spec.nics.forEach((nic, index) => {
    byNetwork.set(nic.networkId, [...(byNetwork.get(nic.networkId) ?? []), { index, nic }]);
  });
  const statuses = new Map<number, VmNicStatus>();
  const networks: VirtualNetwork[] = [];
  // Networks are written in id order, so two units of work never wait on each other's rows in opposite orders.
  for (const networkId of [...byNetwork.keys()].sort()) {
    const network = await tx.networks.get(networkId);
    const allocations: Record<string, AddressAllocation> = { ...network.status.allocations };
    const placed = await assign(tx, network, allocations, vm, byNetwork.get(networkId) ?? []);
    for (const [index, status] of placed) statuses.set(index, status);
    networks.push(await tx.networks.update({ ...network, status: { ...network.status, allocations } }));
  }
  const nics = vm.spec.nics.map((_, i) => statuses.get(i)).filter((s): s is VmNicStatus => s !== undefined);
  return { nics, networks };
}

async function assign(
  tx: Repositories,
  network: VirtualNetwork,
  allocations: Record<string, AddressAllocation>,
  vm: VirtualMachine,
  refs: readonly NicRef[],
): Promise<Map<number, VmNicStatus>> {
  const plan = addressPlanOf(network.spec);
  const macs = new Set(Object.values(allocations).map((a) => a.macAddress));
  const out = new Map<number, VmNicStatus>();
  const hold = (ref: NicRef, address: string): void => {
    const macAddress = macFor(ref, vm, network, macs);
    macs.add(macAddress);
    allocations[address] = { vmId: vm.id, nic: ref.nic.name, macAddress };
    out.set(ref.index, { name: ref.nic.name, networkId: network.id, ipAddress: address, macAddress });
  };
  // Fixed addresses first, so that an address chosen for another NIC of the VM never takes one asked for.
  for (const ref of refs) {
    if (ref.nic.ipAddress === undefined) continue;
    const address = checkFixed(plan, network, ref);
    const holder = allocations[address];
    if (holder) throw await addressTaken(tx, network, vm, ref, address, holder);
    hold(ref, address);
  }
  for (const ref of refs) {
    if (ref.nic.ipAddress !== undefined) continue;
    const taken = Object.keys(allocations).map((a) => parseIPv4(a) ?? 0);
    const next = firstFreeAddress(plan, taken);
    if (next === undefined) throw exhausted(plan, network, vm, ref);
    hold(ref, formatIPv4(next));
  }
  return out;
}

/** checkFixed returns a NIC's fixed address in its canonical form, or throws InvalidArgument saying why the network cannot give it. */
function checkFixed(plan: AddressPlan, network: VirtualNetwork, ref: NicRef): string {
  const field = `spec.nics[${ref.index}].ipAddress`;
  const text = ref.nic.ipAddress ?? "";
  const address = parseIPv4(text);
  if (address === undefined)
    throw invalidArgument(
      [{ field, description: `must be an IPv4 address (got ${text})` }],
      "VirtualMachine",
    );
  const reason = unusableReason(plan, address);
  if (reason !== undefined)
    throw invalidArgument(
      [
        {
          field,
          description: `must be an address network "${network.name}" can give a NIC (got ${text}, which ${reason})`,
        },
      ],
      "VirtualMachine",
    );
  return formatIPv4(address);
}

async function addressTaken(
  tx: Repositories,
  network: VirtualNetwork,
  vm: VirtualMachine,
  ref: NicRef,
  address: string,
  holder: AddressAllocation,
): Promise<DomainError> {
  const field = `spec.nics[${ref.index}].ipAddress`;
  const who =
    holder.vmId === vm.id
      ? `NIC ${holder.nic} of this VM`
      : `NIC ${holder.nic} of vm "${(await tx.vms.find(holder.vmId))?.name ?? holder.vmId}"`;
  const description = `${address} is already held on network "${network.name}" by ${who}; choose another address or leave it empty to have one allocated`;
  return new DomainError(ErrorCode.AlreadyExists, `${field} ${description}`, {
    fieldViolations: [{ field, description }],
    resource: { kind: "VirtualNetwork", id: network.id, name: network.name },
  });
}

function exhausted(plan: AddressPlan, network: VirtualNetwork, vm: VirtualMachine, ref: NicRef): DomainError {
  const size = poolSize(plan);
  return new DomainError(
    ErrorCode.ResourceExhausted,
    `network "${network.name}" (${cidrText(plan)}) has no free address for NIC ${ref.nic.name} of vm "${vm.name}": ` +
      `all ${size} addresses of its pool are allocated; delete a VM on it, or give the network a larger CIDR or DHCP range`,
    { resource: { kind: "VirtualNetwork", id: network.id, name: network.name }, cidr: cidrText(plan), size },
  );
}

/** macFor returns the NIC's own MAC address, or a generated one no other NIC of the network holds. */
function macFor(ref: NicRef, vm: VirtualMachine, network: VirtualNetwork, macs: ReadonlySet<string>): string {
  const field = `spec.nics[${ref.index}].macAddress`;
  const given = ref.nic.macAddress;
  if (given !== undefined) {
    if (macs.has(given)) {
      const description = `${given} is already used on network "${network.name}" by another NIC; choose another or leave it empty to have one generated`;
      throw new DomainError(ErrorCode.AlreadyExists, `${field} ${description}`, {
        fieldViolations: [{ field, description }],
        resource: { kind: "VirtualNetwork", id: network.id, name: network.name },
      });
    }
    return given;
  }
  for (let attempt = 0; attempt < MAX_MAC_ATTEMPTS; attempt++) {
    const mac = generatedMac(`${vm.id}/${ref.nic.name}`, attempt);
    if (!macs.has(mac)) return mac;
  }
  // 46 random bits make this unreachable in practice; say so rather than loop.
  throw new DomainError(
    ErrorCode.ResourceExhausted,
    `no unused MAC address found for NIC ${ref.nic.name} of vm "${vm.name}" on network "${network.name}"`,
  );
}

/**
 * releaseVmAddresses removes every allocation a VM holds from the networks its NICs are on, inside
 * the unit of work that deletes the VM, and returns the networks it changed. It goes by the
 * networks' own records, so it also frees what a VM holds when its status lost track of it.
 */
export async function releaseVmAddresses(tx: Repositories, vm: VirtualMachine): Promise<VirtualNetwork[]> {
  const ids = new Set([...vm.spec.nics.map((n) => n.networkId), ...vm.status.nics.map((n) => n.networkId)]);
  const changed: VirtualNetwork[] = [];
  for (const id of [...ids].sort()) {
    const network = await tx.networks.find(id);
    if (!network) continue;
    const kept = Object.entries(network.status.allocations).filter(([, a]) => a.vmId !== vm.id);
    if (kept.length === Object.keys(network.status.allocations).length) continue;
    changed.push(
      await tx.networks.update({
        ...network,
        status: { ...network.status, allocations: Object.fromEntries(kept) },
      }),
    );
  }
  return changed;
}
