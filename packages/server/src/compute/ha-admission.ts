import {
  type Cluster,
  type DomainError,
  failedPrecondition,
  type Repositories,
  type VirtualMachine,
} from "@limiquantix/domain";
import {
  type AdmissionAmounts,
  type AdmissionDecision,
  type ClusterSnapshot,
  checkAdmission,
  type Scheduler,
} from "@limiquantix/scheduler";
import { allItems } from "../shared/each-item";

/** AdmissionPolicies are the clusters whose HA admission control is in force, by id. */
export type AdmissionPolicies = ReadonlyMap<string, Cluster>;

/** HaAdmissionChange is the change to an HA VM that admission control decides on. */
export type HaAdmissionChange = "create" | "start" | "enable-ha" | "resize";

/** HA_ADMISSION_VIOLATION is the PreconditionFailure violation type of a refusal by HA admission control. */
export const HA_ADMISSION_VIOLATION = "HA_ADMISSION_CONTROL";

const VERBS: Record<HaAdmissionChange, string> = {
  create: "creating",
  start: "starting",
  "enable-ha": "enabling HA on",
  resize: "resizing",
};

/** enforcesAdmission says whether a cluster holds its HA VMs to admission control: HA on, and a policy other than disabled. */
export function enforcesAdmission(cluster: Cluster): boolean {
  return cluster.spec.ha.enabled && cluster.spec.ha.admissionControl.policy !== "disabled";
}

/** policyLabel names a cluster's admission-control policy with its figures, as refusals print it. */
export function policyLabel(settings: Cluster["spec"]["ha"]["admissionControl"]): string {
  if (settings.policy === "tolerate-host-failures")
    return `tolerate-host-failures: ${settings.hostFailuresToTolerate}`;
  if (settings.policy === "reserve-percentage")
    return `reserve-percentage: cpu ${settings.cpuReservePercent}%, memory ${settings.memoryReservePercent}%`;
  return settings.policy;
}

function memory(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024} GiB` : `${mib} MiB`;
}

function amounts(a: AdmissionAmounts): string {
  return `${memory(a.memoryMib)} memory / ${a.vcpus} vCPU`;
}

/**
 * admissionRefusal builds the FailedPrecondition of a change HA admission control refused: the
 * message names the policy, the cluster, the change and the failover capacity it would leave
 * against what is needed; the details carry the same figures (ErrorInfo metadata) and a
 * PreconditionFailure violation per reason.
 */
export function admissionRefusal(
  cluster: Cluster,
  vm: Pick<VirtualMachine, "id" | "name">,
  change: HaAdmissionChange,
  decision: AdmissionDecision,
): DomainError {
  const settings = cluster.spec.ha.admissionControl;
  const c = decision.capacity;
  const what =
    c === undefined
      ? ""
      : settings.policy === "reserve-percentage"
        ? ` leaves ${amounts(c.available)} free where the policy reserves ${amounts(c.needed)}`
        : ` leaves ${amounts(c.available)} of failover capacity where ${amounts(c.needed)} is needed`;
  const message = `HA admission control (${policyLabel(settings)}) of cluster "${cluster.name}": ${VERBS[change]} vm "${vm.name}"${what} (${decision.reasons.join("; ")}); free capacity in the cluster, or change its spec.ha.admission_control`;
  return failedPrecondition(message, {
    resource: { kind: "Cluster", id: cluster.id, name: cluster.name },
    policy: settings.policy,
    cluster: cluster.name,
    vm: vm.name,
    ...(c === undefined
      ? {}
      : {
          availableVcpus: c.available.vcpus,
          availableMemoryMib: c.available.memoryMib,
          neededVcpus: c.needed.vcpus,
          neededMemoryMib: c.needed.memoryMib,
          shortfallVcpus: c.shortfall.vcpus,
          shortfallMemoryMib: c.shortfall.memoryMib,
        }),
    preconditionViolations: decision.reasons.map((description) => ({
      type: HA_ADMISSION_VIOLATION,
      subject: `clusters/${cluster.id}`,
      description,
    })),
  });
}

/**
 * HaAdmission holds HA VMs to their cluster's admission control (failover capacity kept as host
 * failures tolerated or a reserved share): creating, starting, enabling HA on or growing one is
 * refused when the cluster could no longer restart its protected VMs after the failures it is
 * meant to survive. It decides on the live placement snapshot, so callers check inside the
 * placement section, against the reservations in flight; the policies are read before it.
 */
export class HaAdmission {
  /**
   * The policies as last read, shared by every caller until a cluster changes (`forget`): a
   * create then reads no cluster. A read that fails is not kept.
   */
  private read: Promise<AdmissionPolicies> | undefined;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly snapshot: ClusterSnapshot,
    private readonly repos: Pick<Repositories, "clusters">,
  ) {}

  /**
   * policies returns the clusters that enforce admission control (outside the placement section:
   * it may be I/O). They are read once and kept until `forget`, which the replica calls on every
   * cluster change it relays (from any replica) and on every cluster write made through it before
   * that write is answered: a create decided after a policy change was answered sees it, and one
   * through another replica sees it once this replica has followed the log that far, as it sees
   * that replica's placements.
   */
  policies(): Promise<AdmissionPolicies> {
    if (this.read) return this.read;
    const read = (async () => {
      const out = new Map<string, Cluster>();
      for (const c of await allItems(this.repos.clusters, {})) if (enforcesAdmission(c)) out.set(c.id, c);
      return out as AdmissionPolicies;
    })();
    this.read = read;
    read.catch(() => {
      if (this.read === read) this.read = undefined;
    });
    return read;
  }

  /** forget drops the policies as read: the next call reads the clusters again. */
  forget(): void {
    this.read = undefined;
  }

  /**
   * admit throws FailedPrecondition when running `vm` (as it would be after the change) on `nodeId`
   * would break the HA guarantee of the node's cluster. Only VMs with HA enabled are held to it.
   */
  admit(policies: AdmissionPolicies, vm: VirtualMachine, nodeId: string, change: HaAdmissionChange): void {
    if (!vm.spec.ha.enabled || policies.size === 0) return;
    const clusterId = this.snapshot.node(nodeId)?.node.clusterId ?? vm.clusterId;
    const cluster = clusterId === undefined ? undefined : policies.get(clusterId);
    if (cluster === undefined) return;
    const decision = checkAdmission(
      this.scheduler,
      this.snapshot,
      { kind: change === "create" ? "create" : "power-on", vm: { ...vm, status: { ...vm.status, nodeId } } },
      { clusterId: cluster.id, settings: cluster.spec.ha.admissionControl },
    );
    if (!decision.admitted) throw admissionRefusal(cluster, vm, change, decision);
  }
}
