import type { VmState } from "../snapshot/snapshot-types";
import type { PassState } from "./pass-state";

/** SOURCE_HOSTS and TARGET_HOSTS bound each greedy step to the hottest and coolest hosts, so a step costs O(VMs on a host). */
const SOURCE_HOSTS = 4;
const TARGET_HOSTS = 8;

/** Candidate is one move a greedy step weighs: a VM from host s to host t of the model, and what it brings. */
export interface Candidate {
  readonly vm: VmState;
  readonly s: number;
  readonly t: number;
  readonly benefit: number;
}

function movable(vm: VmState, pass: PassState): boolean {
  const st = vm.vm.status;
  return !pass.frozen.has(vm.id) && st.migration === undefined && st.powerState !== "MIGRATING";
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Ties break on ids so the same snapshot always yields the same sequence.
function byBenefit(a: Candidate, b: Candidate): number {
  return b.benefit - a.benefit || compareIds(a.vm.id, b.vm.id) || a.t - b.t;
}

/**
 * Ranks hosts once per step without sorting them all: hosts are ordered by heat, hottest first,
 * ties by index; the first SOURCE_HOSTS are sources, and the last TARGET_HOSTS that may receive
 * VMs (schedulable, not being emptied) are targets, coolest first.
 */
export class HostRanking {
  readonly sources: number[] = [];
  readonly targets: number[] = [];
  private readonly heat: Float64Array;
  private readonly receives: Uint8Array;

  constructor(private readonly pass: PassState) {
    const { model } = pass;
    this.heat = new Float64Array(model.size);
    this.receives = new Uint8Array(model.size);
    for (let i = 0; i < model.size; i++) {
      const id = model.ids[i]!;
      if (pass.snapshot.node(id)?.schedulable === true && !pass.evacuating.has(id)) this.receives[i] = 1;
    }
  }

  /** update ranks the hosts as the model stands now. */
  update(): void {
    const { model } = this.pass;
    const { heat, sources, targets } = this;
    sources.length = 0;
    targets.length = 0;
    for (let i = 0; i < model.size; i++) heat[i] = model.heat(i);
    // Kept sorted as they fill: sources hottest first, targets coolest first (ties to the higher index).
    for (let i = 0; i < model.size; i++) {
      const h = heat[i]!;
      if (sources.length < SOURCE_HOSTS || h > heat[sources[sources.length - 1]!]!) {
        let k = sources.length;
        while (k > 0 && h > heat[sources[k - 1]!]!) k--;
        sources.splice(k, 0, i);
        if (sources.length > SOURCE_HOSTS) sources.length = SOURCE_HOSTS;
      }
      if (this.receives[i] !== 1) continue;
      if (targets.length < TARGET_HOSTS || h <= heat[targets[targets.length - 1]!]!) {
        let k = targets.length;
        while (k > 0 && h <= heat[targets[k - 1]!]!) k--;
        targets.splice(k, 0, i);
        if (targets.length > TARGET_HOSTS) targets.length = TARGET_HOSTS;
      }
    }
  }
}

/**
 * CandidateSearch finds the move a greedy step makes: among the VMs of the source hosts and the
 * target hosts, the move with the most benefit (ties to the lower VM id, then the lower target)
 * that passes every filter.
 */
export class CandidateSearch {
  /** Per source host: the movable VM with the lowest id for each demand (vCPUs, then memory). */
  private readonly byDemand = new Map<number, Map<number, VmState>>();

  constructor(private readonly pass: PassState) {}

  /**
   * firstValid is the best candidate whose move passes every filter. A move's benefit depends on
   * the VM only through its demand, so the best is found among one VM per demand and source; it
   * usually passes, and only when it does not are all candidates listed and sorted.
   */
  firstValid(ranking: HostRanking): Candidate | undefined {
    const best = this.best(ranking);
    if (best === undefined || this.valid(best)) return best;
    const all = this.every(ranking).sort(byBenefit);
    for (const c of all) if ((c.vm !== best.vm || c.t !== best.t) && this.valid(c)) return c;
    return undefined;
  }

  private best(ranking: HostRanking): Candidate | undefined {
    const { model, snapshot } = this.pass;
    const byDemand = this.byDemand;
    let best: Candidate | undefined;
    for (const s of ranking.sources) {
      byDemand.clear();
      for (const vm of snapshot.vmsOn(model.ids[s]!)) {
        if (!movable(vm, this.pass)) continue;
        const { vcpus, memoryMib } = vm.demand;
        let byMemory = byDemand.get(vcpus);
        if (byMemory === undefined) {
          byMemory = new Map();
          byDemand.set(vcpus, byMemory);
        }
        const known = byMemory.get(memoryMib);
        if (known === undefined || vm.id < known.id) byMemory.set(memoryMib, vm);
      }
      for (const byMemory of byDemand.values())
        for (const vm of byMemory.values())
          for (const t of ranking.targets) {
            if (t === s) continue;
            const benefit = model.benefit(vm, s, t);
            if (!(benefit > 0) || (best !== undefined && benefit < best.benefit)) continue;
            const c: Candidate = { vm, s, t, benefit };
            if (best === undefined || byBenefit(c, best) < 0) best = c;
          }
    }
    return best;
  }

  // Every move of a VM of a source host to a target host that lowers the objective.
  private every(ranking: HostRanking): Candidate[] {
    const { model, snapshot } = this.pass;
    const out: Candidate[] = [];
    for (const s of ranking.sources)
      for (const vm of snapshot.vmsOn(model.ids[s]!)) {
        if (!movable(vm, this.pass)) continue;
        for (const t of ranking.targets) {
          if (t === s) continue;
          const benefit = model.benefit(vm, s, t);
          if (benefit > 0) out.push({ vm, s, t, benefit });
        }
      }
    return out;
  }

  private valid(c: Candidate): boolean {
    const { pass } = this;
    return pass.scheduler.check(pass.snapshot, c.vm.vm, pass.model.ids[c.t]!).length === 0;
  }
}
