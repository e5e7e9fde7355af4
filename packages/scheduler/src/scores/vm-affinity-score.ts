import type { VmAffinityTerm } from "@limiquantix/domain";
import { type DomainTally, tallyDomains } from "../affinity/topology";
import { defineScore, SKIP } from "../framework/plugin";
import { normalizeMinMax } from "./normalize";

/** VM_AFFINITY_PREFERENCE is the name of the score for preferred VM↔VM affinity and anti-affinity. */
export const VM_AFFINITY_PREFERENCE = "vm-affinity-preference";

interface WeightedTerm {
  readonly topologyKey: string;
  /** Positive for affinity, negative for anti-affinity. */
  readonly weight: number;
  readonly tallies: ReadonlyMap<string, DomainTally>;
}

/**
 * vmAffinityScore adds, per preferred term, its weight times the number of selected VMs in the
 * node's topology domain (subtracting for anti-affinity), then rescales across nodes to 0..100.
 */
export const vmAffinityScore = defineScore<readonly WeightedTerm[]>({
  name: VM_AFFINITY_PREFERENCE,
  prepare(ctx) {
    const { vmAffinity, vmAntiAffinity } = ctx.vm.spec.affinity;
    if (vmAffinity.preferred.length === 0 && vmAntiAffinity.preferred.length === 0) return SKIP;
    const weigh = (term: VmAffinityTerm, sign: 1 | -1): WeightedTerm => ({
      topologyKey: term.topologyKey,
      weight: sign * term.weight,
      tallies: tallyDomains(ctx.snapshot, term, ctx.vm.id),
    });
    return [
      ...vmAffinity.preferred.map((t) => weigh(t, 1)),
      ...vmAntiAffinity.preferred.map((t) => weigh(t, -1)),
    ];
  },
  score(node, ctx, terms) {
    let raw = 0;
    for (const term of terms) {
      const domain = ctx.snapshot.domainOf(node, term.topologyKey);
      if (domain !== undefined) raw += term.weight * (term.tallies.get(domain)?.count ?? 0);
    }
    return raw;
  },
  normalize(scores) {
    normalizeMinMax(scores);
  },
  scoreColumns(columns, rows, count, _ctx, terms, out) {
    out.fill(0, 0, count);
    for (const term of terms) {
      const column = columns.domains(term.topologyKey);
      // A domain without selected VMs adds weight × 0, which leaves every sum as it is.
      const add = new Float64Array(column.values.length);
      for (const [domain, tally] of term.tallies) {
        const code = column.codeOf(domain);
        if (code >= 0) add[code] = term.weight * tally.count;
      }
      const codes = column.codes;
      for (let j = 0; j < count; j++) {
        const code = codes[rows[j]!]!;
        if (code >= 0) out[j] = out[j]! + add[code]!;
      }
    }
    normalizeMinMax(out, count);
  },
});
