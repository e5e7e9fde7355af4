import { type LabelSelector, type Labels, matchesSelector } from "@limiquantix/domain";
import type { AntiAffinityHolder, VmState } from "./snapshot-types";

const SEP = "\u0000";

function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (set === undefined) {
    set = new Set();
    map.set(key, set);
  }
  set.add(value);
}

function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (set === undefined) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}

const NO_HOLDERS: readonly AntiAffinityHolder[] = [];

// Appends the terms of a set that select the labels to `out`, creating it on the first one.
function selecting(
  terms: ReadonlySet<AntiAffinityHolder> | undefined,
  labels: Readonly<Labels>,
  out: AntiAffinityHolder[] | undefined,
): AntiAffinityHolder[] | undefined {
  if (terms === undefined) return out;
  let list = out;
  for (const h of terms)
    if (matchesSelector(h.term.selector, labels)) {
      list ??= [];
      list.push(h);
    }
  return list;
}

/**
 * VmLabelIndex indexes placed VMs by label and the required anti-affinity terms they hold,
 * so affinity checks touch only the VMs a selector can match instead of scanning them all.
 */
export class VmLabelIndex {
  /** `key\0value` → VMs carrying that label. */
  private readonly byKeyValue = new Map<string, Set<VmState>>();
  /** key → VMs carrying the key with any value. */
  private readonly byKey = new Map<string, Set<VmState>>();
  private readonly all = new Set<VmState>();
  /** Anti-affinity terms keyed by a key and value (or a key) their selector requires. */
  private readonly termsByKeyValue = new Map<string, Map<string, Set<AntiAffinityHolder>>>();
  private readonly termsByKey = new Map<string, Set<AntiAffinityHolder>>();
  /** Terms whose selectors require no label to be present (only `!=`, `notin`, `!exists`). */
  private readonly unkeyedTerms = new Set<AntiAffinityHolder>();
  private readonly holdersOf = new Map<VmState, AntiAffinityHolder[]>();

  /** add indexes a placed VM. */
  add(vm: VmState): void {
    this.all.add(vm);
    for (const [k, v] of Object.entries(vm.labels)) {
      addTo(this.byKeyValue, k + SEP + v, vm);
      addTo(this.byKey, k, vm);
    }
    const terms = vm.vm.spec.affinity.vmAntiAffinity.required;
    if (terms.length === 0) return;
    const holders: AntiAffinityHolder[] = [];
    for (const term of terms) {
      const holder: AntiAffinityHolder = { holder: vm, term };
      holders.push(holder);
      this.indexTerm(holder, true);
    }
    this.holdersOf.set(vm, holders);
  }

  /** remove drops a VM from the index. */
  remove(vm: VmState): void {
    if (!this.all.delete(vm)) return;
    for (const [k, v] of Object.entries(vm.labels)) {
      removeFrom(this.byKeyValue, k + SEP + v, vm);
      removeFrom(this.byKey, k, vm);
    }
    const holders = this.holdersOf.get(vm);
    if (holders === undefined) return;
    for (const h of holders) this.indexTerm(h, false);
    this.holdersOf.delete(vm);
  }

  /** matching yields the indexed VMs whose labels match a selector. */
  *matching(selector: LabelSelector): Iterable<VmState> {
    for (const vm of this.candidates(selector)) if (matchesSelector(selector, vm.labels)) yield vm;
  }

  /**
   * holdersFor lists the anti-affinity terms of indexed VMs that select these labels. Most labels
   * are selected by none, so nothing is allocated then.
   */
  holdersFor(labels: Readonly<Labels>): readonly AntiAffinityHolder[] {
    let out: AntiAffinityHolder[] | undefined;
    for (const [k, v] of Object.entries(labels)) {
      out = selecting(this.termsByKeyValue.get(k)?.get(v), labels, out);
      out = selecting(this.termsByKey.get(k), labels, out);
    }
    if (this.unkeyedTerms.size > 0) out = selecting(this.unkeyedTerms, labels, out);
    return out ?? NO_HOLDERS;
  }

  /** The smallest set of VMs that can hold every VM the selector matches. */
  private candidates(selector: LabelSelector): Iterable<VmState> {
    let best: Iterable<VmState> = this.all;
    let bestSize = this.all.size;
    for (const req of selector) {
      if (req.operator === "=" || req.operator === "exists") {
        const set =
          req.operator === "=" ? this.byKeyValue.get(req.key + SEP + req.values[0]) : this.byKey.get(req.key);
        const size = set?.size ?? 0;
        if (size < bestSize) {
          best = set ?? [];
          bestSize = size;
        }
      } else if (req.operator === "in") {
        const sets = req.values.map((v) => this.byKeyValue.get(req.key + SEP + v));
        const size = sets.reduce((n, s) => n + (s?.size ?? 0), 0);
        if (size < bestSize) {
          best = sets.flatMap((s) => (s === undefined ? [] : [...s]));
          bestSize = size;
        }
      }
    }
    return best;
  }

  private indexTerm(holder: AntiAffinityHolder, add: boolean): void {
    const put = add ? addTo : removeFrom;
    // One positive requirement is enough to key on: a VM lacking it can never match the selector.
    const req = holder.term.selector.find(
      (r) => r.operator === "=" || r.operator === "in" || r.operator === "exists",
    );
    if (req === undefined) {
      if (add) this.unkeyedTerms.add(holder);
      else this.unkeyedTerms.delete(holder);
    } else if (req.operator === "exists") {
      put(this.termsByKey, req.key, holder);
    } else {
      let byValue = this.termsByKeyValue.get(req.key);
      if (byValue === undefined) {
        byValue = new Map();
        this.termsByKeyValue.set(req.key, byValue);
      }
      for (const v of req.values) put(byValue, v, holder);
      if (byValue.size === 0) this.termsByKeyValue.delete(req.key);
    }
  }
}
