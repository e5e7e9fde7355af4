import { type LabelSelector, type Labels, matchesSelector } from "@limiquantix/domain";
import type { AntiAffinityHolder, VmState } from "./snapshot-types";

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

function* concat<V>(sets: Iterable<Set<V>>): Iterable<V> {
  for (const set of sets) yield* set;
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
  /** key → value → VMs carrying that label; keyed twice so a lookup builds no key string. */
  private readonly byLabel = new Map<string, Map<string, Set<VmState>>>();
  private count = 0;
  /** Anti-affinity terms keyed by a key and value (or a key) their selector requires. */
  private readonly termsByKeyValue = new Map<string, Map<string, Set<AntiAffinityHolder>>>();
  private readonly termsByKey = new Map<string, Set<AntiAffinityHolder>>();
  /** Terms whose selectors require no label to be present (only `!=`, `notin`, `!exists`). */
  private readonly unkeyedTerms = new Set<AntiAffinityHolder>();
  private readonly holdersOf = new Map<VmState, AntiAffinityHolder[]>();

  /**
   * @param everyVm yields every VM the index holds, for selectors no label narrows down; the
   * snapshot already keeps them by node, so the index keeps no second set of all of them.
   */
  constructor(private readonly everyVm: () => Iterable<VmState>) {}

  /**
   * addAll indexes many placed VMs (none already indexed) at once: each label's VMs are gathered
   * in a list first and its set made from the list, which is quicker than growing it VM by VM.
   */
  addAll(vms: readonly VmState[]): void {
    const gathered = new Map<string, Map<string, VmState[]>>();
    for (const vm of vms) {
      const labels = vm.labels;
      for (const k in labels) {
        let byValue = gathered.get(k);
        if (byValue === undefined) {
          byValue = new Map();
          gathered.set(k, byValue);
        }
        const v = labels[k]!;
        const list = byValue.get(v);
        if (list === undefined) byValue.set(v, [vm]);
        else list.push(vm);
      }
      this.holdTerms(vm);
    }
    this.count += vms.length;
    for (const [k, lists] of gathered) {
      let byValue = this.byLabel.get(k);
      if (byValue === undefined) {
        byValue = new Map();
        this.byLabel.set(k, byValue);
      }
      for (const [v, list] of lists) {
        const set = byValue.get(v);
        if (set === undefined) byValue.set(v, new Set(list));
        else for (const vm of list) set.add(vm);
      }
    }
  }

  /** add indexes a placed VM (not already indexed). */
  add(vm: VmState): void {
    this.count++;
    const labels = vm.labels;
    for (const k in labels) {
      let byValue = this.byLabel.get(k);
      if (byValue === undefined) {
        byValue = new Map();
        this.byLabel.set(k, byValue);
      }
      const v = labels[k]!;
      const set = byValue.get(v);
      if (set === undefined) byValue.set(v, new Set([vm]));
      else set.add(vm);
    }
    this.holdTerms(vm);
  }

  /** holdTerms indexes the required anti-affinity terms of a VM being indexed. */
  private holdTerms(vm: VmState): void {
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

  /** remove drops a VM the index holds. */
  remove(vm: VmState): void {
    this.count--;
    const labels = vm.labels;
    for (const k in labels) {
      const byValue = this.byLabel.get(k);
      if (byValue === undefined) continue;
      removeFrom(byValue, labels[k]!, vm);
      if (byValue.size === 0) this.byLabel.delete(k);
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
    let best: Iterable<VmState> | undefined;
    let bestSize = this.count;
    for (const req of selector) {
      const byValue = this.byLabel.get(req.key);
      if (req.operator === "=" || req.operator === "in") {
        const sets: Set<VmState>[] = [];
        let size = 0;
        for (const v of req.values) {
          const set = byValue?.get(v);
          if (set === undefined || sets.includes(set)) continue;
          sets.push(set);
          size += set.size;
        }
        if (size < bestSize || best === undefined) {
          best = sets.length === 1 ? sets[0]! : concat(sets);
          bestSize = size;
        }
      } else if (req.operator === "exists") {
        let size = 0;
        for (const set of byValue?.values() ?? []) size += set.size;
        if (size < bestSize || best === undefined) {
          best = byValue === undefined ? [] : concat(byValue.values());
          bestSize = size;
        }
      }
    }
    return best ?? this.everyVm();
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
