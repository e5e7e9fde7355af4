import { formatLabelSelector, matchesSelector } from "@limiquantix/domain";
import { describeTopology, tallyDomains } from "../affinity/topology";
import { defineFilter, type PlacementContext, SKIP } from "../framework/plugin";
import { keepCoded } from "../snapshot/column-selectors";

/** VM_AFFINITY is the name of the filter that enforces required VM↔VM affinity and anti-affinity. */
export const VM_AFFINITY = "vm-affinity";

interface Forbidden {
  readonly topologyKey: string;
  /** Domain → name of a VM that rules it out. */
  readonly domains: Map<string, string>;
}

interface Required {
  readonly topologyKey: string;
  readonly domains: ReadonlySet<string>;
  readonly reason: string;
}

interface AffinityState {
  readonly forbidden: readonly Forbidden[];
  readonly required: readonly Required[];
}

function forbid(byKey: Map<string, Forbidden>, topologyKey: string, domain: string, vmName: string): void {
  let f = byKey.get(topologyKey);
  if (f === undefined) {
    f = { topologyKey, domains: new Map() };
    byKey.set(topologyKey, f);
  }
  const known = f.domains.get(domain);
  if (known === undefined || vmName < known) f.domains.set(domain, vmName);
}

function prepareAffinity(ctx: PlacementContext): AffinityState | typeof SKIP {
  const { vm, snapshot } = ctx;
  const rules = vm.spec.affinity;
  const forbidden = new Map<string, Forbidden>();
  for (const term of rules.vmAntiAffinity.required)
    for (const [domain, tally] of tallyDomains(snapshot, term, vm.id))
      forbid(forbidden, term.topologyKey, domain, tally.example);
  // Anti-affinity is symmetric: a placed VM whose rule selects this VM keeps it out of its domain.
  for (const { holder, term } of snapshot.antiAffinityHoldersFor(vm.labels)) {
    if (holder.id === vm.id || holder.nodeId === undefined) continue;
    const node = snapshot.node(holder.nodeId);
    const domain = node === undefined ? undefined : snapshot.domainOf(node, term.topologyKey);
    if (domain !== undefined) forbid(forbidden, term.topologyKey, domain, holder.name);
  }
  const required: Required[] = [];
  for (const term of rules.vmAffinity.required) {
    const tallies = tallyDomains(snapshot, term, vm.id);
    // The first VM of a group that selects itself may go anywhere, or no group could ever start.
    if (tallies.size === 0 && matchesSelector(term.selector, vm.labels)) continue;
    required.push({
      topologyKey: term.topologyKey,
      domains: new Set(tallies.keys()),
      reason: `affinity: no vm matching "${formatLabelSelector(term.selector)}" in the same ${describeTopology(term.topologyKey)}`,
    });
  }
  if (forbidden.size === 0 && required.length === 0) return SKIP;
  return { forbidden: [...forbidden.values()], required };
}

/**
 * vmAffinityFilter enforces required affinity (the node's topology domain must already hold a VM
 * the term selects) and required anti-affinity (it must hold none, in either direction). Domains
 * are counted once per request from the label index, so each node costs a map lookup per term.
 */
export const vmAffinityFilter = defineFilter<AffinityState>({
  name: VM_AFFINITY,
  rejects: { kind: "affinity", bindsRunning: true },
  prepare: prepareAffinity,
  filter(node, ctx, state) {
    for (const f of state.forbidden) {
      const domain = ctx.snapshot.domainOf(node, f.topologyKey);
      if (domain === undefined) continue;
      const name = f.domains.get(domain);
      if (name !== undefined) return `anti-affinity with vm "${name}"`;
    }
    for (const r of state.required) {
      const domain = ctx.snapshot.domainOf(node, r.topologyKey);
      if (domain === undefined || !r.domains.has(domain)) return r.reason;
    }
    return undefined;
  },
  filterColumns(columns, rows, count, _ctx, state) {
    let kept = count;
    for (const f of state.forbidden) {
      const column = columns.domains(f.topologyKey);
      // A node outside every domain of the key (entry 0) is not ruled out.
      const table = new Uint8Array(column.values.length + 1).fill(1);
      for (const domain of f.domains.keys()) {
        const code = column.codeOf(domain);
        if (code >= 0) table[code + 1] = 0;
      }
      kept = keepCoded(column, table, rows, kept);
    }
    for (const r of state.required) {
      const column = columns.domains(r.topologyKey);
      const table = new Uint8Array(column.values.length + 1);
      for (const domain of r.domains) {
        const code = column.codeOf(domain);
        if (code >= 0) table[code + 1] = 1;
      }
      kept = keepCoded(column, table, rows, kept);
    }
    return kept;
  },
});
