import {
  DomainError,
  ErrorCode,
  type Node,
  type Repositories,
  type UnitOfWorkOptions,
  type VirtualMachine,
  type VirtualMachineInput,
  hasErrorCode,
} from "@limiquantix/domain";
import type { ClusterSnapshot, Placement, Scheduler } from "@limiquantix/scheduler";
import type { ChangeRelay } from "../events/change-relay";
import type { ServerMetrics } from "../observability/metrics";
import { KeyedMutex } from "../shared/keyed-mutex";
import type { ServiceDeps } from "../shared/service-deps";
import { type AdmissionPolicies, HaAdmission, type HaAdmissionChange } from "./ha-admission";

/** MAX_CHARGES bounds how often a create re-reads a node whose allocation another create changed. */
const MAX_CHARGES = 20;

const MAX_ATTEMPTS = 10;

/** CreateHooks add to a VM's creation, in its unit of work. */
export interface CreateHooks {
  /** admit runs first, before anything is read or written for the VM: it may refuse it (the project's quota). */
  readonly admit?: (tx: Repositories, vm: VirtualMachine) => Promise<void>;
  /** status returns what to add to the new VM's status before it is written. */
  readonly status?: (tx: Repositories, vm: VirtualMachine) => Promise<Partial<VirtualMachine["status"]>>;
  /** alongside writes what goes with the new VM once it is stored. */
  readonly alongside?: (tx: Repositories, vm: VirtualMachine) => Promise<void>;
  /** What the hooks read first (the project `admit` charges), for the store to read with BEGIN. */
  readonly reads?: UnitOfWorkOptions["reads"];
}

/** demandOf is what a VM takes from its node. */
export function demandOf(vm: Pick<VirtualMachine, "spec">): { vcpus: number; memoryMib: number } {
  return { vcpus: vm.spec.cpu.vcpus, memoryMib: vm.spec.memory.sizeMib };
}

/** chargeNode returns the node's status with a VM's demand added (sign 1) or released (sign -1). */
export function chargeNode(node: Node, vm: Pick<VirtualMachine, "spec">, sign: 1 | -1): Node["status"] {
  const d = demandOf(vm);
  const a = node.status.allocated;
  return {
    ...node.status,
    allocated: {
      vcpus: Math.max(0, a.vcpus + sign * d.vcpus),
      memoryMib: Math.max(0, a.memoryMib + sign * d.memoryMib),
      vmCount: Math.max(0, a.vmCount + sign),
    },
  };
}

/**
 * PlacementService places VMs with the scheduler on the live snapshot and stores them with
 * their capacity reserved in one unit of work. Placements in this process are serialised; the
 * node's stored allocation (checked and written with its resourceVersion inside the unit of
 * work) is the authority across replicas, so concurrent creates never overcommit a node.
 */
export class PlacementService {
  private readonly mutex = new KeyedMutex();
  private readonly admission: HaAdmission;
  /**
   * Each node as this process last committed its allocation, so the next create on it charges it
   * without reading it first (the snapshot's copy, which follows the log, is used when newer).
   * The write is made only if the node's version is still this one: a change from anywhere else
   * is a Conflict, and the node is read then. Only committed writes are kept: a rolled-back
   * transaction's revision is taken again by the next, so its version proves nothing.
   */
  private readonly charged = new Map<string, Node>();

  constructor(
    private readonly deps: ServiceDeps,
    private readonly scheduler: Scheduler,
    private readonly snapshot: ClusterSnapshot,
    private readonly metrics?: ServerMetrics,
    /** The replica's change relay: a cluster change from any replica drops the admission policies as read. */
    changes?: Pick<ChangeRelay, "subscribe">,
  ) {
    this.admission = new HaAdmission(scheduler, snapshot, deps.repos);
    changes?.subscribe({
      change: (entry) => {
        if (entry.kind === "Cluster") this.admission.forget();
      },
      reset: () => this.admission.forget(),
    });
  }

  /**
   * placeAndCreate chooses a node for a new VM and stores the VM there, or throws ResourceExhausted
   * saying why no node fits. An HA VM is held to its cluster's admission control on the node chosen,
   * in the same section as the choice (so concurrent creates count each other's reservations), and
   * refused with FailedPrecondition before anything is written. In the same unit of work (run again on a retry), `hooks.admit` may
   * refuse the VM before anything is written (its reservation on the snapshot is then undone),
   * `hooks.status` adds to the new VM's status before it is written (its NICs' addresses) and
   * `hooks.alongside` writes what goes with the VM (its volumes' attachments).
   */
  async placeAndCreate(
    input: VirtualMachineInput,
    validated: VirtualMachine,
    hooks: CreateHooks = {},
  ): Promise<{ vm: VirtualMachine; placement: Placement }> {
    // Only the in-memory choice and reservation are exclusive: the transaction runs outside the
    // lock, so creates overlap their database work. The stored allocation, charged under the
    // node's version in each transaction, keeps concurrent creates (and replicas) from
    // overcommitting a node; the snapshot's reservation keeps this process from choosing a node
    // that in-flight creates have filled.
    const policies = validated.spec.ha.enabled ? await this.admission.policies() : undefined;
    for (let attempt = 1; ; attempt++) {
      const placement = await this.mutex.run("placement", async () => {
        const chosen = this.choose(validated);
        if (policies)
          try {
            this.admission.admit(policies, validated, chosen.nodeId, "create");
          } catch (e) {
            if (chosen.reservation) this.snapshot.revert(chosen.reservation);
            throw e;
          }
        return chosen;
      });
      const reservation = placement.reservation;
      try {
        let node: Node | undefined;
        const vm = await this.deps.uow.run(async (tx) => {
          if (hooks.admit) await hooks.admit(tx, validated);
          const extra = hooks.status ? await hooks.status(tx, validated) : {};
          const stored = await this.storeOnNode(
            tx,
            {
              ...input,
              status: { ...(input.status ?? {}), ...extra, nodeId: placement.nodeId, powerState: "STOPPED" },
            },
            validated,
            placement.nodeId,
          );
          node = stored.node;
          const created = stored.vm;
          if (hooks.alongside) await hooks.alongside(tx, created);
          return created;
        }, hooks.reads && { reads: hooks.reads });
        if (node) this.noteCharged(node);
        this.snapshot.upsertVm(vm);
        return { vm, placement };
      } catch (e) {
        if (reservation) this.snapshot.revert(reservation);
        if (!hasErrorCode(e, ErrorCode.Conflict) || attempt >= MAX_ATTEMPTS) throw e;
        // Creates that lost a race (a PostgreSQL deadlock victim, say) step apart before trying
        // again, so the same contenders do not collide on every attempt.
        await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
        await this.refreshNode(placement.nodeId);
      }
    }
  }

  /** choose places a VM on the snapshot, reserving its demand there, and records how long it took. */
  private choose(validated: VirtualMachine): Placement {
    const started = performance.now();
    try {
      const placement = this.scheduler.place(this.snapshot, validated, { reserve: true });
      this.metrics?.schedulerDuration.observe({ outcome: "placed" }, (performance.now() - started) / 1000);
      return placement;
    } catch (e) {
      this.metrics?.schedulerDuration.observe(
        { outcome: "unplaceable" },
        (performance.now() - started) / 1000,
      );
      throw e;
    }
  }

  /**
   * storeOnNode stores a new VM and adds its demand to its node's stored allocation (in one
   * statement where the store can), returning both as written. Another create may charge the same
   * node first (through this replica or another): then the node is read again and charged again
   * (its version decides), as long as it still has room.
   */
  private async storeOnNode(
    tx: Repositories,
    input: VirtualMachineInput,
    validated: VirtualMachine,
    nodeId: string,
  ): Promise<{ vm: VirtualMachine; node: Node }> {
    const d = demandOf(validated);
    let node = this.lastKnown(nodeId);
    let read = false;
    for (let charge = 1; ; charge++) {
      if (!node) {
        node = await tx.nodes.get(nodeId);
        read = true;
      }
      const capacity = this.snapshot.node(nodeId)?.capacity;
      const a = node.status.allocated;
      if (!capacity || a.vcpus + d.vcpus > capacity.vcpus || a.memoryMib + d.memoryMib > capacity.memoryMib) {
        if (!read) {
          // As last charged here: another writer may have released capacity since.
          node = undefined;
          continue;
        }
        // The stored allocation moved under the snapshot (another replica placed here): a lost race.
        throw new DomainError(
          ErrorCode.Conflict,
          `node "${node.name}" no longer has room for vm "${validated.name}" (${d.vcpus} vCPU, ${d.memoryMib} MiB); placing again`,
          { resource: { kind: "Node", id: nodeId, name: node.name } },
        );
      }
      const status = chargeNode(node, validated, 1);
      let charged: Node;
      try {
        if (tx.vms.createOnNode) return await tx.vms.createOnNode(input, node, status);
        charged = tx.nodes.replaceStatus
          ? await tx.nodes.replaceStatus(node, status)
          : await tx.nodes.updateStatus(node.id, status, node.resourceVersion);
      } catch (e) {
        if (!hasErrorCode(e, ErrorCode.Conflict) || charge >= MAX_CHARGES) throw e;
        this.charged.delete(nodeId);
        node = undefined;
        continue;
      }
      return { node: charged, vm: await tx.vms.create(input) };
    }
  }

  /** lastKnown is the newest committed version of a node this replica holds: as it last charged it, or as the change log brought it. */
  private lastKnown(nodeId: string): Node | undefined {
    const charged = this.charged.get(nodeId);
    const followed = this.snapshot.node(nodeId)?.node;
    if (!charged) return followed;
    return followed && followed.resourceVersion > charged.resourceVersion ? followed : charged;
  }

  /** noteCharged keeps a node as a committed create left it, unless a later version is kept already. */
  private noteCharged(node: Node): void {
    const kept = this.charged.get(node.id);
    if (!kept || kept.resourceVersion < node.resourceVersion) this.charged.set(node.id, node);
  }

  /** refreshNode reloads a node and the VMs placed on it into the snapshot, after another writer changed them. */
  async refreshNode(nodeId: string): Promise<void> {
    this.charged.delete(nodeId);
    const node = await this.deps.repos.nodes.find(nodeId);
    if (!node) {
      if (this.snapshot.node(nodeId)) this.snapshot.removeNode(nodeId);
      return;
    }
    this.snapshot.upsertNode(node);
    const stored = await this.deps.repos.vms.listByNode(nodeId);
    const ids = new Set(stored.map((v) => v.id));
    for (const v of [...this.snapshot.vmsOn(nodeId)]) if (!ids.has(v.id)) this.snapshot.removeVm(v.id);
    for (const v of stored) this.snapshot.upsertVm(v);
  }

  /** check lists why a VM could not run on a node (empty when it could); what the VM already holds there does not count against it. */
  check(vm: VirtualMachine, nodeId: string): readonly string[] {
    return this.scheduler.check(this.snapshot, vm, nodeId);
  }

  /** noteVm records a stored VM in the snapshot. */
  noteVm(vm: VirtualMachine): void {
    this.snapshot.upsertVm(vm);
  }

  /** forgetVm drops a deleted VM from the snapshot. */
  forgetVm(vmId: string): void {
    if (this.snapshot.vm(vmId)) this.snapshot.removeVm(vmId);
  }

  /** release returns a VM's capacity to its node (used when the VM is deleted or moved). */
  async release(tx: Repositories, vm: VirtualMachine): Promise<void> {
    const nodeId = vm.status.nodeId;
    if (!nodeId) return;
    const node = await tx.nodes.find(nodeId);
    if (node) await tx.nodes.updateStatus(node.id, chargeNode(node, vm, -1), node.resourceVersion);
  }

  /** haPolicies reads the clusters that hold HA VMs to admission control, before a section that calls admitHa. */
  haPolicies(): Promise<AdmissionPolicies> {
    return this.admission.policies();
  }

  /** clustersChanged drops the admission policies as read; a cluster write calls it before it is answered. */
  clustersChanged(): void {
    this.admission.forget();
  }

  /**
   * admitHa throws FailedPrecondition when running `vm` as changed on `nodeId` would break its
   * cluster's HA admission control. Call it inside `exclusive`, and note the changed VM in the
   * snapshot before leaving, so concurrent changes count each other.
   */
  admitHa(policies: AdmissionPolicies, vm: VirtualMachine, nodeId: string, change: HaAdmissionChange): void {
    this.admission.admit(policies, vm, nodeId, change);
  }

  /** run serialises a section with placements (used by migrations and drains that move capacity). */
  exclusive<R>(fn: () => Promise<R>): Promise<R> {
    return this.mutex.run("placement", fn);
  }
}
