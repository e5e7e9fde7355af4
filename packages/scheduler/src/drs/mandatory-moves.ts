import { capacityFilter } from "../filters/capacity-filter";
import { computeRoleFilter } from "../filters/compute-role-filter";
import { nodeReadyFilter } from "../filters/node-ready-filter";
import { taintFilter } from "../filters/taint-filter";
import { type Rejection, summarize } from "../framework/explain";
import type { FilterPlugin } from "../framework/plugin";
import type { NodeState, VmState } from "../snapshot/snapshot-types";
import type { PassState } from "./pass-state";

/** CANDIDATE_TARGETS is how many feasible hosts, coolest first, a mandatory move weighs before choosing. */
const CANDIDATE_TARGETS = 8;

function bySize(a: VmState, b: VmState): number {
  return (
    b.demand.memoryMib - a.demand.memoryMib ||
    b.demand.vcpus - a.demand.vcpus ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** ENTERING_MAINTENANCE is why a node DRS is evacuating cannot take a VM. */
const ENTERING_MAINTENANCE: Rejection = {
  plugin: "drs",
  reason: "entering maintenance",
  kind: "node-state",
  bindsRunning: true,
};

/**
 * brokenRules lists the hard rules a placed VM breaks where it is: the rejections that bind VMs
 * already running (`bindsRunning`), from whichever filter gives them. Cordoning and NoSchedule
 * taints only forbid new placements, so they do not count; a NoExecute taint the VM does not tolerate does.
 */
export function brokenRules(pass: PassState, vm: VmState, nodeId: string): string[] {
  const out: string[] = [];
  for (const r of pass.scheduler.rejections(pass.snapshot, vm.vm, nodeId))
    if (r.bindsRunning) out.push(r.reason);
  return out;
}

/**
 * NODE_LEVEL_FILTERS are the built-in filters whose verdict on a VM where it runs depends on the
 * node alone: readiness, taints, the compute role, and capacity (a VM's own demand already counts
 * in its node's allocation). Of their rejections, keepsRuleFreeVms knows which bind running VMs.
 */
export const NODE_LEVEL_FILTERS: ReadonlySet<FilterPlugin> = new Set([
  nodeReadyFilter,
  computeRoleFilter,
  capacityFilter,
  taintFilter,
]);

/**
 * keepsRuleFreeVms says whether a node breaks no node-level rule for the VMs it runs: a compute
 * node, not in maintenance, allocated within capacity, with no NoExecute taint (so no toleration
 * needs looking at). A VM there that no other filter concerns breaks no rule, whatever it is.
 */
export function keepsRuleFreeVms(node: NodeState): boolean {
  if (node.node.status.phase === "MAINTENANCE") return false;
  if (!node.node.spec.roles.includes("compute")) return false;
  if (node.allocated.vcpus > node.capacity.vcpus || node.allocated.memoryMib > node.capacity.memoryMib)
    return false;
  for (const t of node.hardTaints) if (t.effect === "NoExecute") return false;
  return true;
}

/** moveOut finds the best valid host for a VM that must leave its node and commits the move, or records it as blocked. */
export function moveOut(pass: PassState, vm: VmState, cause: string): void {
  const { model } = pass;
  const source = vm.nodeId!;
  const s = model.index.get(source) ?? -1;
  const order = Array.from({ length: model.size }, (_, i) => i)
    .filter((i) => i !== s && !pass.evacuating.has(model.ids[i]!))
    .sort((a, b) => model.heat(a) - model.heat(b));
  let best = -1;
  let bestBenefit = Number.NEGATIVE_INFINITY;
  let feasible = 0;
  for (const t of order) {
    if (pass.scheduler.check(pass.snapshot, vm.vm, model.ids[t]!).length > 0) continue;
    const b = model.benefit(vm, s, t);
    if (b > bestBenefit) {
      best = t;
      bestBenefit = b;
    }
    if (++feasible >= CANDIDATE_TARGETS) break;
  }
  if (best < 0) {
    const nodes = model.ids
      .filter((id) => id !== source)
      .map((id) => ({
        nodeId: id,
        nodeName: pass.nameOf(id),
        reasons: pass.evacuating.has(id)
          ? [ENTERING_MAINTENANCE]
          : pass.scheduler.rejections(pass.snapshot, vm.vm, id),
      }));
    pass.blocked.push({
      vmId: vm.id,
      vmName: vm.name,
      sourceNodeId: source,
      cause,
      reasons: summarize(nodes),
    });
    return;
  }
  pass.commit(vm, best, "CRITICAL", cause);
}

/** evacuate proposes a move for every VM on the nodes entering maintenance, largest first. */
export function evacuate(pass: PassState, nodeIds: readonly string[]): void {
  for (const nodeId of nodeIds) {
    const vms = [...pass.snapshot.vmsOn(nodeId)].sort(bySize);
    for (const vm of vms)
      moveOut(pass, vm, `node "${pass.nameOf(nodeId)}" is entering maintenance: vm "${vm.name}" must move`);
  }
}

/**
 * repairViolations proposes a move for every placed VM that breaks a hard rule where it runs,
 * re-checking each in turn. On a node that keeps rule-free VMs, a VM no per-VM filter concerns
 * (no selector, host rule, affinity term, restricted pool or network, nor selected by another's
 * anti-affinity) is passed without running the filters: they could not turn it down. Moves only
 * take load off such a node while its VMs are checked, so it stays one.
 */
export function repairViolations(pass: PassState): void {
  const { scheduler, snapshot } = pass;
  for (const nodeId of pass.model.ids) {
    const node = snapshot.node(nodeId);
    const nodeFine = node !== undefined && keepsRuleFreeVms(node);
    const vms = [...snapshot.vmsOn(nodeId)].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const placed of vms) {
      const vm = snapshot.vm(placed.id);
      if (vm === undefined || vm.nodeId !== nodeId) continue;
      if (nodeFine && !scheduler.concerns(snapshot, vm.vm, NODE_LEVEL_FILTERS)) continue;
      const broken = brokenRules(pass, vm, nodeId);
      if (broken.length === 0) continue;
      moveOut(
        pass,
        vm,
        `vm "${vm.name}" breaks a placement rule on node "${pass.nameOf(nodeId)}": ${broken.join("; ")}`,
      );
    }
  }
}
