import type { NodeState, VmState } from "../snapshot/snapshot-types";

/** DrsWeights weigh CPU against memory in the imbalance metric; they are normalised to sum to 1. */
export interface DrsWeights {
  readonly cpu: number;
  readonly memory: number;
}

/** HostLoad is one host's normalised load as DRS sees it. */
export interface HostLoad {
  readonly nodeId: string;
  /** CPU load as a fraction: live usage of physical CPU when reported, else allocation over capacity. */
  readonly cpu: number;
  /** Memory load as a fraction, on the same basis as `cpu`. */
  readonly memory: number;
  readonly basis: "usage" | "allocation";
  readonly overloaded: boolean;
}

/** OVERLOAD_PENALTY makes load above a host's threshold count far more than spread, so relief of hot hosts comes first. */
const OVERLOAD_PENALTY = 10;

/**
 * LoadModel holds the normalised CPU and memory load of the hosts of one DRS pass, with running
 * sums so the effect of moving a VM on the imbalance is known in O(1) before anything moves.
 *
 * A host that reports live usage is loaded by that usage over its physical capacity, and each of
 * its VMs is assumed to use it in proportion to its allocation; a host without usage is loaded by
 * its allocation over its overcommitted capacity.
 */
export class LoadModel {
  readonly ids: readonly string[];
  readonly index = new Map<string, number>();
  readonly cpu: Float64Array;
  readonly mem: Float64Array;
  private readonly cpuDen: Float64Array;
  private readonly memDen: Float64Array;
  private readonly cpuPerVcpu: Float64Array;
  private readonly memPerMib: Float64Array;
  private readonly usageBased: Uint8Array;
  /** Scratch for the load one move takes off its source and adds to its target (cpu, memory each). */
  private readonly delta = new Float64Array(4);
  private readonly wc: number;
  private readonly wm: number;
  private sumC = 0;
  private sumM = 0;
  private sqC = 0;
  private sqM = 0;
  private overSq = 0;

  constructor(
    hosts: readonly NodeState[],
    weights: DrsWeights,
    readonly thresholds: { readonly cpu: number; readonly memory: number },
  ) {
    const total = weights.cpu + weights.memory;
    this.wc = total > 0 ? weights.cpu / total : 0.5;
    this.wm = total > 0 ? weights.memory / total : 0.5;
    const n = hosts.length;
    this.ids = hosts.map((h) => h.id);
    this.cpu = new Float64Array(n);
    this.mem = new Float64Array(n);
    this.cpuDen = new Float64Array(n);
    this.memDen = new Float64Array(n);
    this.cpuPerVcpu = new Float64Array(n);
    this.memPerMib = new Float64Array(n);
    this.usageBased = new Uint8Array(n);
    hosts.forEach((h, i) => {
      this.index.set(h.id, i);
      const u = h.usage;
      if (u !== undefined && h.allocatable.vcpus > 0 && h.allocatable.memoryMib > 0) {
        this.usageBased[i] = 1;
        const usedCpu = (u.cpuPercent / 100) * h.allocatable.vcpus;
        this.cpuDen[i] = h.allocatable.vcpus;
        this.memDen[i] = h.allocatable.memoryMib;
        this.cpuPerVcpu[i] = h.allocated.vcpus > 0 ? usedCpu / h.allocated.vcpus : 1;
        this.memPerMib[i] = h.allocated.memoryMib > 0 ? u.memoryUsedMib / h.allocated.memoryMib : 1;
        this.cpu[i] = usedCpu / h.allocatable.vcpus;
        this.mem[i] = u.memoryUsedMib / h.allocatable.memoryMib;
      } else {
        this.cpuDen[i] = Math.max(1, h.capacity.vcpus);
        this.memDen[i] = Math.max(1, h.capacity.memoryMib);
        this.cpu[i] = h.allocated.vcpus / this.cpuDen[i]!;
        this.mem[i] = h.allocated.memoryMib / this.memDen[i]!;
      }
      this.account(i, 1);
    });
  }

  get size(): number {
    return this.ids.length;
  }

  /** imbalance is the weighted standard deviation of host load: sqrt(wc·Var(cpu) + wm·Var(mem)). */
  imbalance(): number {
    const n = this.size;
    if (n === 0) return 0;
    const vc = this.sqC / n - (this.sumC / n) ** 2;
    const vm = this.sqM / n - (this.sumM / n) ** 2;
    return Math.sqrt(Math.max(0, this.wc * vc + this.wm * vm));
  }

  /** mean is the average CPU and memory load of the hosts. */
  mean(): { cpu: number; memory: number } {
    const n = Math.max(1, this.size);
    return { cpu: this.sumC / n, memory: this.sumM / n };
  }

  /** imbalanceReshaped is the imbalance if `added` empty hosts joined and host `removed` (-1: none) left. */
  imbalanceReshaped(added: number, removed: number): number {
    let { sumC, sumM, sqC, sqM } = this;
    let n = this.size + added;
    if (removed >= 0) {
      const c = this.cpu[removed]!;
      const m = this.mem[removed]!;
      sumC -= c;
      sumM -= m;
      sqC -= c * c;
      sqM -= m * m;
      n--;
    }
    if (n <= 0) return 0;
    const vc = sqC / n - (sumC / n) ** 2;
    const vm = sqM / n - (sumM / n) ** 2;
    return Math.sqrt(Math.max(0, this.wc * vc + this.wm * vm));
  }

  /** overloaded says whether a host is above either threshold. */
  overloaded(i: number): boolean {
    return this.cpu[i]! > this.thresholds.cpu || this.mem[i]! > this.thresholds.memory;
  }

  /** overloadedCount is how many hosts are above a threshold. */
  overloadedCount(): number {
    let k = 0;
    for (let i = 0; i < this.size; i++) if (this.overloaded(i)) k++;
    return k;
  }

  /** heat ranks hosts for relief: signed weighted distance from the mean, plus any overload. */
  heat(i: number): number {
    const n = Math.max(1, this.size);
    const c = this.cpu[i]!;
    const m = this.mem[i]!;
    return (
      this.wc * (c - this.sumC / n) +
      this.wm * (m - this.sumM / n) +
      OVERLOAD_PENALTY * (this.overC(c) + this.overM(m))
    );
  }

  /** load describes one host for the caller. */
  load(i: number): HostLoad {
    return {
      nodeId: this.ids[i]!,
      cpu: this.cpu[i]!,
      memory: this.mem[i]!,
      basis: this.usageBased[i] === 1 ? "usage" : "allocation",
      overloaded: this.overloaded(i),
    };
  }

  /** benefit is how much moving a VM from host s (-1: from outside the model) to host t lowers the objective. */
  benefit(vm: VmState, s: number, t: number): number {
    return this.objective() - this.after(vm, s, t, false);
  }

  /** imbalanceAfter is the imbalance a move would leave, without making it. */
  imbalanceAfter(vm: VmState, s: number, t: number): number {
    return this.after(vm, s, t, true);
  }

  /** move records a VM moving from host s (-1: from outside the model) to host t. */
  move(vm: VmState, s: number, t: number): void {
    this.deltas(vm, s, t);
    const d = this.delta;
    if (s >= 0) this.set(s, this.cpu[s]! - d[0]!, this.mem[s]! - d[1]!);
    this.set(t, this.cpu[t]! + d[2]!, this.mem[t]! + d[3]!);
  }

  /** objective is n·(weighted variance) plus the penalised squared overload: what the greedy search lowers. */
  objective(): number {
    return this.objectiveOf(this.sumC, this.sumM, this.sqC, this.sqM, this.overSq);
  }

  private objectiveOf(sumC: number, sumM: number, sqC: number, sqM: number, overSq: number): number {
    const n = Math.max(1, this.size);
    const spread = this.wc * (sqC - sumC ** 2 / n) + this.wm * (sqM - sumM ** 2 / n);
    return spread + OVERLOAD_PENALTY * overSq;
  }

  // The objective (or the imbalance) a move would leave, from the running sums without touching
  // the model, so evaluating is exact and cheap. Greedy steps call it for every candidate, so it
  // allocates nothing.
  private after(vm: VmState, s: number, t: number, imbalance: boolean): number {
    this.deltas(vm, s, t);
    const d = this.delta;
    let { sumC, sumM, sqC, sqM, overSq } = this;
    if (s >= 0) {
      const c0 = this.cpu[s]!;
      const m0 = this.mem[s]!;
      const c = c0 - d[0]!;
      const m = m0 - d[1]!;
      sumC += c - c0;
      sumM += m - m0;
      sqC += c * c - c0 * c0;
      sqM += m * m - m0 * m0;
      overSq += this.overOf(c, m) - this.overOf(c0, m0);
    }
    const c0 = this.cpu[t]!;
    const m0 = this.mem[t]!;
    const c = c0 + d[2]!;
    const m = m0 + d[3]!;
    sumC += c - c0;
    sumM += m - m0;
    sqC += c * c - c0 * c0;
    sqM += m * m - m0 * m0;
    overSq += this.overOf(c, m) - this.overOf(c0, m0);
    if (!imbalance) return this.objectiveOf(sumC, sumM, sqC, sqM, overSq);
    const n = Math.max(1, this.size);
    const vc = sqC / n - (sumC / n) ** 2;
    const vm2 = sqM / n - (sumM / n) ** 2;
    return Math.sqrt(Math.max(0, this.wc * vc + this.wm * vm2));
  }

  // Writes the load a VM takes off host s and adds to host t into `delta` (cpu and memory each).
  private deltas(vm: VmState, s: number, t: number): void {
    const { vcpus, memoryMib } = vm.demand;
    // Estimated absolute use of the VM: its share of its host's live usage, or its allocation.
    const absC = s >= 0 && this.usageBased[s] === 1 ? vcpus * this.cpuPerVcpu[s]! : vcpus;
    const absM = s >= 0 && this.usageBased[s] === 1 ? memoryMib * this.memPerMib[s]! : memoryMib;
    const d = this.delta;
    d[0] = s >= 0 ? absC / this.cpuDen[s]! : 0;
    d[1] = s >= 0 ? absM / this.memDen[s]! : 0;
    d[2] = (this.usageBased[t] === 1 ? absC : vcpus) / this.cpuDen[t]!;
    d[3] = (this.usageBased[t] === 1 ? absM : memoryMib) / this.memDen[t]!;
  }

  private set(i: number, c: number, m: number): void {
    this.account(i, -1);
    this.cpu[i] = c;
    this.mem[i] = m;
    this.account(i, 1);
  }

  private account(i: number, sign: 1 | -1): void {
    const c = this.cpu[i]!;
    const m = this.mem[i]!;
    this.sumC += sign * c;
    this.sumM += sign * m;
    this.sqC += sign * c * c;
    this.sqM += sign * m * m;
    this.overSq += sign * this.overOf(c, m);
  }

  private overOf(c: number, m: number): number {
    return this.wc * this.overC(c) ** 2 + this.wm * this.overM(m) ** 2;
  }

  private overC(c: number): number {
    return c > this.thresholds.cpu ? c - this.thresholds.cpu : 0;
  }

  private overM(m: number): number {
    return m > this.thresholds.memory ? m - this.thresholds.memory : 0;
  }
}
