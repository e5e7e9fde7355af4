import { TOPOLOGY_NODE, type VmAffinityTerm } from "@limiquantix/domain";
import type { SnapshotReader } from "../snapshot/snapshot-types";

/** DomainTally is how many VMs a selector matches in one topology domain, and the first of them by name. */
export interface DomainTally {
  count: number;
  example: string;
}

/**
 * tallyDomains counts, per topology domain of `term.topologyKey`, the placed VMs the term's
 * selector matches, leaving out the VM being placed. It walks only the VMs the label index
 * returns for the selector, never every VM.
 */
export function tallyDomains(
  snapshot: SnapshotReader,
  term: VmAffinityTerm,
  selfId: string,
): Map<string, DomainTally> {
  const tallies = new Map<string, DomainTally>();
  for (const vm of snapshot.placedVmsMatching(term.selector)) {
    if (vm.id === selfId || vm.nodeId === undefined) continue;
    const node = snapshot.node(vm.nodeId);
    if (node === undefined) continue;
    const domain = snapshot.domainOf(node, term.topologyKey);
    if (domain === undefined) continue;
    const tally = tallies.get(domain);
    if (tally === undefined) tallies.set(domain, { count: 1, example: vm.name });
    else {
      tally.count++;
      if (vm.name < tally.example) tally.example = vm.name;
    }
  }
  return tallies;
}

/** describeTopology names a topology key in messages: `node` or `zone` (a node label). */
export function describeTopology(topologyKey: string): string {
  return topologyKey === TOPOLOGY_NODE ? "node" : `"${topologyKey}" domain`;
}
