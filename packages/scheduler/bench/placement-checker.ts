// An independent re-check of placements against every hard rule and capacity. It shares no code
// with the engine's filters on purpose: a bug there must not hide itself here.
import {
  type Labels,
  type LabelSelector,
  matchesSelector,
  type Node,
  type VirtualMachine,
} from "@limiquantix/domain";

/** CheckInput is the final state to verify: every node, every VM with its node, and which VMs were placed. */
export interface CheckInput {
  readonly nodes: readonly Node[];
  readonly vms: readonly VirtualMachine[];
  readonly placedIds: ReadonlySet<string>;
  readonly overcommit: { readonly cpu: number; readonly memory: number };
  readonly poolNodes?: ReadonlyMap<string, readonly string[]>;
  readonly volumePool?: ReadonlyMap<string, string>;
  readonly networkNodes?: ReadonlyMap<string, readonly string[]>;
}

/** Violation names a VM (or node) and the rule it breaks. */
export interface Violation {
  readonly subject: string;
  readonly rule: string;
}

function domainKey(node: Node, key: string): string | undefined {
  return key === "node" ? node.id : node.labels[key];
}

function taintTolerated(vm: VirtualMachine, t: { key: string; value: string; effect: string }): boolean {
  return vm.spec.tolerations.some((tol) => {
    if (tol.effect !== undefined && tol.effect !== t.effect) return false;
    if (tol.key === undefined) return tol.operator === "Exists";
    return tol.key === t.key && (tol.operator === "Exists" || tol.value === t.value);
  });
}

/** checkPlacements returns every violation of capacity or of a hard rule among the placed VMs. */
export function checkPlacements(input: CheckInput): Violation[] {
  const out: Violation[] = [];
  const nodes = new Map(input.nodes.map((n) => [n.id, n]));
  const used = new Map<string, { cpu: number; mem: number }>();
  for (const vm of input.vms) {
    if (vm.status.nodeId === undefined) continue;
    const u = used.get(vm.status.nodeId) ?? { cpu: 0, mem: 0 };
    u.cpu += vm.spec.cpu.vcpus;
    u.mem += vm.spec.memory.sizeMib;
    used.set(vm.status.nodeId, u);
  }
  for (const [id, u] of used) {
    const n = nodes.get(id);
    if (n === undefined) continue;
    if (u.cpu > Math.floor(n.status.allocatable.vcpus * input.overcommit.cpu))
      out.push({ subject: id, rule: "cpu overcommitted" });
    if (u.mem > Math.floor(n.status.allocatable.memoryMib * input.overcommit.memory))
      out.push({ subject: id, rule: "memory overcommitted" });
  }
  // Group VMs by topology domain for every key any required term uses.
  const keys = new Set<string>();
  for (const vm of input.vms)
    for (const t of [...vm.spec.affinity.vmAffinity.required, ...vm.spec.affinity.vmAntiAffinity.required])
      keys.add(t.topologyKey);
  const byDomain = new Map<string, Map<string, VirtualMachine[]>>();
  for (const key of keys) {
    const m = new Map<string, VirtualMachine[]>();
    for (const vm of input.vms) {
      const n = vm.status.nodeId === undefined ? undefined : nodes.get(vm.status.nodeId);
      const d = n === undefined ? undefined : domainKey(n, key);
      if (d === undefined) continue;
      const list = m.get(d) ?? [];
      list.push(vm);
      m.set(d, list);
    }
    byDomain.set(key, m);
  }
  // VMs holding required anti-affinity terms, by domain, for the symmetric check.
  const holders = new Map<string, Map<string, VirtualMachine[]>>();
  for (const [key, m] of byDomain) {
    const h = new Map<string, VirtualMachine[]>();
    for (const [d, list] of m) {
      const withTerms = list.filter((o) =>
        o.spec.affinity.vmAntiAffinity.required.some((t) => t.topologyKey === key),
      );
      if (withTerms.length > 0) h.set(d, withTerms);
    }
    holders.set(key, h);
  }
  const others = (vm: VirtualMachine, n: Node, key: string): VirtualMachine[] => {
    const d = domainKey(n, key);
    return d === undefined ? [] : (byDomain.get(key)?.get(d) ?? []).filter((o) => o.id !== vm.id);
  };
  const anywhere = (sel: LabelSelector, self: VirtualMachine): boolean =>
    input.vms.some(
      (o) => o.id !== self.id && o.status.nodeId !== undefined && matchesSelector(sel, o.labels),
    );
  for (const vm of input.vms) {
    if (!input.placedIds.has(vm.id)) continue;
    const v = (rule: string) => out.push({ subject: vm.name, rule });
    const n = vm.status.nodeId === undefined ? undefined : nodes.get(vm.status.nodeId);
    if (n === undefined) {
      v("placed on an unknown node");
      continue;
    }
    if (n.status.phase !== "READY") v(`node phase ${n.status.phase}`);
    if (n.spec.cordoned) v("node cordoned");
    if (!n.spec.roles.includes("compute")) v("node is not compute");
    if (!matchesSelector(vm.spec.nodeSelector, n.labels)) v("node selector");
    for (const t of n.spec.taints)
      if (t.effect !== "PreferNoSchedule" && !taintTolerated(vm, t)) v(`taint ${t.key}`);
    for (const r of vm.spec.affinity.hostRules) {
      if (r.enforcement !== "must") continue;
      const inGroup = matchesSelector(r.nodeSelector, n.labels);
      if (inGroup !== (r.type === "run-on")) v("host rule");
    }
    for (const d of vm.spec.disks) {
      const reach = input.poolNodes?.get(input.volumePool?.get(d.volumeId) ?? "");
      if (reach === undefined || (reach.length > 0 && !reach.includes(n.id))) v(`storage for ${d.volumeId}`);
    }
    for (const nic of vm.spec.nics) {
      const reach = input.networkNodes?.get(nic.networkId);
      if (reach === undefined || (reach.length > 0 && !reach.includes(n.id))) v(`network ${nic.networkId}`);
    }
    for (const t of vm.spec.affinity.vmAntiAffinity.required)
      if (others(vm, n, t.topologyKey).some((o) => matchesSelector(t.selector, o.labels))) v("anti-affinity");
    for (const key of keys)
      for (const o of holders.get(key)?.get(domainKey(n, key) ?? "\u0000") ?? [])
        if (o.id !== vm.id)
          for (const t of o.spec.affinity.vmAntiAffinity.required)
            if (t.topologyKey === key && matchesSelector(t.selector, vm.labels as Labels))
              v(`anti-affinity of ${o.name}`);
    for (const t of vm.spec.affinity.vmAffinity.required) {
      if (others(vm, n, t.topologyKey).some((o) => matchesSelector(t.selector, o.labels))) continue;
      const bootstrap = !anywhere(t.selector, vm) && matchesSelector(t.selector, vm.labels);
      if (!bootstrap || domainKey(n, t.topologyKey) === undefined) v("affinity");
    }
  }
  return out;
}
