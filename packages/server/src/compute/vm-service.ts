import {
  ErrorCode,
  hasErrorCode,
  type ListFilter,
  type Page,
  type PageRequest,
  type NodePhase,
  type PowerState,
  RESOURCES,
  type Repositories,
  type VirtualMachine,
  type VirtualMachineInput,
  type VmSpec,
  alreadyExists,
  conflict,
  failedPrecondition,
  nowIso,
  prepareCreate,
  parseOrThrow,
  type VmSpec as VmSpecSchema,
  Labels,
} from "@limiquantix/domain";
import type { z } from "zod";
import type { CallContext } from "../context/call-context";
import type { ResourceCache } from "../events/resource-cache";
import type { AgentDirectory } from "./agent-directory";
import type { PlacementService } from "./placement-service";
import { chargeNode } from "./placement-service";
import { resolveProjectId, withProjectId } from "../shared/project-ref";
import { readModifyWrite } from "../shared/read-modify-write";
import { retryOnConflict } from "../shared/retry-on-conflict";
import type { ServiceDeps } from "../shared/service-deps";
import { checkVmReferences } from "./vm-references";
import { allocateVmAddresses, releaseVmAddresses } from "../network/address-allocator";
import { growth, released, vmUsage } from "../iam/quota/project-usage";
import { UsageLedger } from "../iam/quota/usage-ledger";

/** CreateVmRequest is what a caller gives to create a VM. */
export interface CreateVmRequest {
  readonly projectId: string;
  readonly name: string;
  readonly labels?: Record<string, string>;
  readonly clusterId?: string;
  readonly spec: z.input<typeof VmSpecSchema>;
}

/** VmPatch is what an update may change; cpu and memory only while the VM is stopped. */
export interface VmPatch {
  readonly labels?: Record<string, string>;
  readonly description?: string;
  readonly cpu?: VmSpec["cpu"];
  readonly memory?: VmSpec["memory"];
  readonly ha?: VmSpec["ha"];
}

/** VmService creates, reads, updates and deletes VMs; power, migration and snapshots live in their own services. */
export class VmService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly placement: PlacementService,
    private readonly agents: AgentDirectory,
    /** Where reads are served from when given: this replica's copy, as of every committed write. */
    private readonly reads?: Pick<ResourceCache, "vm" | "vms" | "projectId">,
  ) {}

  /**
   * create validates a VM, checks what it references, places it and stores it with its capacity
   * reserved, its project's quota charged and each NIC's address allocated on its network
   * (status.nics), all in one unit of work. A VM past the project's quota is ResourceExhausted.
   */
  async create(_ctx: CallContext, given: CreateVmRequest): Promise<VirtualMachine> {
    const { repos } = this.deps;
    const projectId =
      this.reads && given.projectId !== ""
        ? await this.reads.projectId(given.projectId)
        : await resolveProjectId(repos, given.projectId);
    const req = { ...given, projectId };
    const input: VirtualMachineInput = {
      id: this.deps.ids.next(),
      name: req.name,
      projectId: req.projectId,
      labels: req.labels ?? {},
      spec: req.spec,
      status: {},
      ...(req.clusterId ? { clusterId: req.clusterId } : {}),
    };
    const validated = prepareCreate(RESOURCES.VirtualMachine, input, nowIso(this.deps.clock));
    await checkVmReferences(repos, validated);
    const now = nowIso(this.deps.clock);
    // The NICs' addresses are allocated in the unit of work that stores the VM (and again on each
    // retry), before it is written, so the VM is stored once, with its addresses.
    // A taken name is refused by the store when the VM is written (AlreadyExists); a create
    // refused before that (no room, the quota) is told apart from a retry of one that succeeded.
    const placed = this.placement.placeAndCreate(input, validated, {
      admit: async (tx, placing) => (await UsageLedger.open(tx, placing.projectId)).charge(vmUsage(placing)),
      reads: [{ kind: "Project", id: validated.projectId }],
      status: async (tx, placing) =>
        placing.spec.nics.length === 0 ? {} : { nics: [...(await allocateVmAddresses(tx, placing)).nics] },
      alongside: async (tx, created) => {
        for (const disk of created.spec.disks) {
          const volume = await tx.volumes.get(disk.volumeId);
          await tx.volumes.update({
            ...volume,
            status: {
              ...volume.status,
              phase: "IN_USE",
              attachment: { vmId: created.id, device: disk.name, attachedAt: now },
            },
          });
        }
      },
    });
    try {
      return (await placed).vm;
    } catch (e) {
      if (hasErrorCode(e, ErrorCode.AlreadyExists)) throw e;
      const taken = await repos.vms.findByName(req.name, req.projectId).catch(() => undefined);
      if (taken) throw alreadyExists("VirtualMachine", req.name, `project ${req.projectId}`);
      throw e;
    }
  }

  /** get returns a VM or throws NotFound. */
  get(_ctx: CallContext, id: string): Promise<VirtualMachine> {
    return this.reads ? this.reads.vm(id) : this.deps.repos.vms.get(id);
  }

  /** list returns one page of VMs (a project named by id or name). */
  async list(
    _ctx: CallContext,
    filter: ListFilter<PowerState> = {},
    page?: PageRequest,
  ): Promise<Page<VirtualMachine>> {
    // The copy resolves the project itself, from its copy of the projects.
    if (this.reads) return this.reads.vms(filter, page);
    return this.deps.repos.vms.list(await withProjectId(this.deps.repos, filter), page);
  }

  /**
   * update changes labels, description, HA policy, or (while stopped, and if the node and the
   * project's quota have room) CPU and memory. Enabling HA on a VM meant to run, or growing an HA
   * VM, is held to its cluster's HA admission control (FailedPrecondition when refused).
   */
  async update(
    _ctx: CallContext,
    id: string,
    patch: VmPatch,
    expectedVersion?: number,
  ): Promise<VirtualMachine> {
    if (patch.labels) parseOrThrow(Labels, patch.labels, undefined, ["labels"]);
    const resizing = patch.cpu !== undefined || patch.memory !== undefined;
    const before = resizing || patch.ha?.enabled ? await this.deps.repos.vms.get(id) : undefined;
    // A resize changes the project's use: its project is locked first, as every quota charge does.
    const projectId = resizing ? before?.projectId : undefined;
    const policies =
      before && admissionChange(before, patch) !== undefined ? await this.placement.haPolicies() : undefined;
    const admitting = policies !== undefined && policies.size > 0;
    const run = async () => {
      const updated = await this.deps.uow.run(async (tx) => {
        const ledger = projectId === undefined ? undefined : await UsageLedger.open(tx, projectId);
        const current = await tx.vms.get(id);
        if (resizing && !["STOPPED", "PENDING"].includes(current.status.powerState))
          throw failedPrecondition(
            `vm "${current.name}" is ${current.status.powerState}: stop it before changing CPU or memory`,
          );
        const next: VirtualMachine = {
          ...current,
          ...(expectedVersion !== undefined ? { resourceVersion: expectedVersion } : {}),
          labels: patch.labels ?? current.labels,
          spec: {
            ...current.spec,
            description: patch.description ?? current.spec.description,
            cpu: patch.cpu ?? current.spec.cpu,
            memory: patch.memory ?? current.spec.memory,
            ha: patch.ha ?? current.spec.ha,
          },
        };
        await ledger?.charge(growth(vmUsage(current), vmUsage(next)));
        const change = admitting ? admissionChange(current, patch) : undefined;
        if (change && current.status.nodeId)
          this.placement.admitHa(policies!, next, current.status.nodeId, change);
        if (resizing && current.status.nodeId) await this.recharge(tx, current, next);
        return tx.vms.update(next);
      });
      // Inside the placement section, so the next change admitted there counts this one.
      this.placement.noteVm(updated);
      return updated;
    };
    return resizing || admitting ? this.placement.exclusive(run) : run();
  }

  private async recharge(tx: Repositories, current: VirtualMachine, next: VirtualMachine): Promise<void> {
    const reasons = this.placement.check({ ...next, status: { ...next.status } }, current.status.nodeId!);
    if (reasons.length > 0)
      throw failedPrecondition(`vm "${current.name}" cannot grow on its node: ${reasons.join("; ")}`, {
        reasons,
      });
    const node = await tx.nodes.get(current.status.nodeId!);
    const released = { ...node, status: chargeNode(node, current, -1) };
    await tx.nodes.updateStatus(node.id, chargeNode(released, next, 1), node.resourceVersion);
  }

  /**
   * delete removes a VM: from its agent, then from the store with its capacity, its project's
   * quota and its NICs' addresses released. A VM with volumes is refused unless detachVolumes is
   * set. A VM that is not stopped is refused
   * unless force is set (its agent then pulls the plug) or the user already asked to stop it (the
   * delete then waits for that stop, within the call's deadline).
   */
  async delete(
    ctx: CallContext,
    id: string,
    options: { detachVolumes?: boolean; force?: boolean; expectedVersion?: number } = {},
  ): Promise<void> {
    let vm = await this.deps.repos.vms.get(id);
    if (options.expectedVersion !== undefined && options.expectedVersion !== vm.resourceVersion)
      throw conflict("VirtualMachine", id, options.expectedVersion, vm.resourceVersion);
    if (vm.spec.disks.length > 0 && !options.detachVolumes)
      throw failedPrecondition(
        `vm "${vm.name}" has ${vm.spec.disks.length} attached volume(s); detach them first or delete with detach_volumes`,
        { resource: { kind: "VirtualMachine", id, name: vm.name } },
      );
    if (!isStopped(vm) && !options.force) {
      if (vm.spec.desiredPowerState !== "STOPPED")
        throw failedPrecondition(
          `vm "${vm.name}" is ${vm.status.powerState}; stop it first or delete with force`,
          {
            resource: { kind: "VirtualMachine", id, name: vm.name },
          },
        );
      vm = await this.untilStopped(ctx, vm);
    }
    if (vm.status.nodeId) {
      const node = await this.deps.repos.nodes.find(vm.status.nodeId);
      if (options.force && node && DEAD_PHASES.has(node.status.phase))
        // Its host is unreachable or fenced: only the record is left to remove. Should the host come
        // back with the VM, its agent is told to remove it once it reports it (StrayVmSweeper).
        this.deps.logger.warn(
          { vm: vm.name, node: node.name, phase: node.status.phase },
          "force delete of a VM on a dead node: its agent removes it if the node comes back",
        );
      else {
        const agent = await this.agents.forNode(node ?? vm.status.nodeId);
        if (!isStopped(vm)) await agent.stopVm(vm.id, { mode: "force", timeoutSec: 0 }).catch(ignoreNotFound);
        await agent.deleteVm(vm.id).catch(ignoreNotFound);
      }
    }
    await this.placement.exclusive(() =>
      retryOnConflict(() =>
        this.deps.uow.run(async (tx) => {
          const ledger = await UsageLedger.open(tx, vm.projectId);
          const current = await tx.vms.get(id);
          await ledger.charge(released(vmUsage(current)));
          for (const disk of current.spec.disks) {
            const volume = await tx.volumes.find(disk.volumeId);
            if (volume?.status.attachment?.vmId === id)
              await tx.volumes.update({
                ...volume,
                status: { ...volume.status, phase: "AVAILABLE", attachment: undefined },
              });
          }
          const snaps = await tx.vmSnapshots.list({ vmId: id }, { limit: 1000 });
          for (const s of snaps.items) await tx.vmSnapshots.delete(s.id);
          await this.placement.release(tx, current);
          await releaseVmAddresses(tx, current);
          await tx.vms.delete(id);
        }),
      ),
    );
    this.placement.forgetVm(id);
  }

  /** untilStopped waits for a stop the user asked for to be carried out, as long as the call waits (at most a minute). */
  private async untilStopped(ctx: CallContext, vm: VirtualMachine): Promise<VirtualMachine> {
    const giveUpAt = Math.min(
      ctx.deadline?.getTime() ?? Number.POSITIVE_INFINITY,
      this.deps.clock.now().getTime() + 60_000,
    );
    let current = vm;
    while (!isStopped(current)) {
      if (ctx.signal.aborted || this.deps.clock.now().getTime() >= giveUpAt)
        throw failedPrecondition(
          `vm "${vm.name}" is still ${current.status.powerState} on its way to STOPPED; delete it again once it has stopped, or delete with force`,
          { resource: { kind: "VirtualMachine", id: vm.id, name: vm.name } },
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
      current = await this.deps.repos.vms.get(vm.id);
      if (current.spec.desiredPowerState !== "STOPPED")
        throw failedPrecondition(
          `vm "${vm.name}" was asked to be ${current.spec.desiredPowerState} again while waiting to delete it`,
        );
    }
    return current;
  }

  /**
   * patchStatus is how controllers record what agents report; `change` returns `undefined` to leave
   * the VM as it is (what was reported no longer applies to it), and nothing is written.
   */
  async patchStatus(
    _ctx: CallContext,
    id: string,
    change: (vm: VirtualMachine) => VirtualMachine["status"] | undefined,
  ): Promise<VirtualMachine> {
    let kept: VirtualMachine | undefined;
    try {
      return await readModifyWrite(this.deps.repos.vms, id, (vm) => {
        const status = change(vm);
        if (status !== undefined) return { ...vm, status };
        kept = vm;
        throw UNCHANGED;
      });
    } catch (e) {
      if (e === UNCHANGED && kept) return kept;
      throw e;
    }
  }
}

/**
 * admissionChange says which change to a VM HA admission control must approve, if any: HA turned on
 * for a VM meant to run, or an HA VM grown (it is counted as if it ran, as when it was created).
 */
function admissionChange(vm: VirtualMachine, patch: VmPatch): "enable-ha" | "resize" | undefined {
  const ha = patch.ha ?? vm.spec.ha;
  if (!ha.enabled) return undefined;
  const grows =
    (patch.cpu !== undefined && patch.cpu.vcpus > vm.spec.cpu.vcpus) ||
    (patch.memory !== undefined && patch.memory.sizeMib > vm.spec.memory.sizeMib);
  if (grows) return "resize";
  if (!vm.spec.ha.enabled && vm.spec.desiredPowerState === "RUNNING") return "enable-ha";
  return undefined;
}

/** UNCHANGED ends a status patch that has nothing to write. */
const UNCHANGED = Symbol("unchanged");

const STOPPED_STATES: ReadonlySet<PowerState> = new Set(["STOPPED", "PENDING", "FAILED"]);

/** DEAD_PHASES are the node phases whose agent a forced delete does not wait for: unreachable or fenced. */
const DEAD_PHASES: ReadonlySet<NodePhase> = new Set(["NOT_READY", "FENCING", "FAILED"]);

function isStopped(vm: VirtualMachine): boolean {
  return STOPPED_STATES.has(vm.status.powerState);
}

function ignoreNotFound(e: unknown): void {
  if (!hasErrorCode(e, ErrorCode.NotFound)) throw e;
}
