import {
  type DomainError,
  invalidArgument,
  isDomainError,
  resourceExhausted,
  type VirtualMachine,
} from "@limiquantix/domain";
import type { PlaceOptions, Placement } from "./placement";
import type { ClusterSnapshot, Reservation } from "./snapshot/cluster-snapshot";

/** BatchOptions tune a batch placement. */
export interface BatchOptions {
  /** Keep every placed VM reserved in the snapshot (default: the snapshot is left as it was). */
  readonly reserve?: boolean;
  /** All or nothing (default true): if one VM cannot be placed, none is and the call throws. */
  readonly atomic?: boolean;
  /** Ranked candidates to return per VM. */
  readonly candidates?: number;
}

/** BatchFailure is a VM of a non-atomic batch that could not be placed, with the reason. */
export interface BatchFailure {
  readonly vmId: string;
  readonly vmName: string;
  readonly error: DomainError;
}

/** BatchPlacement is the outcome of a batch: the placements made, in request order, and the VMs left out. */
export interface BatchPlacement {
  readonly placements: readonly Placement[];
  readonly failures: readonly BatchFailure[];
}

type PlaceOne = (snapshot: ClusterSnapshot, vm: VirtualMachine, options: PlaceOptions) => Placement;

/**
 * placeBatch places VMs one after another in request order, reserving each before the next is
 * considered, so later VMs see the capacity and anti-affinity of earlier ones and the batch can
 * never overcommit a node. Unless asked to keep them, the reservations are undone at the end.
 */
export function placeBatch(
  place: PlaceOne,
  snapshot: ClusterSnapshot,
  vms: readonly VirtualMachine[],
  options: BatchOptions = {},
): BatchPlacement {
  const ids = new Set<string>();
  for (const [i, vm] of vms.entries()) {
    if (ids.has(vm.id))
      throw invalidArgument([
        { field: `vms[${i}].id`, description: `must be unique in the batch (got ${vm.id} twice)` },
      ]);
    ids.add(vm.id);
  }
  const atomic = options.atomic ?? true;
  const reservations: Reservation[] = [];
  const placements: Placement[] = [];
  const failures: BatchFailure[] = [];
  const undo = (): void => {
    for (let i = reservations.length - 1; i >= 0; i--) snapshot.revert(reservations[i]!);
  };
  for (const [i, vm] of vms.entries()) {
    try {
      const placement = place(snapshot, vm, { reserve: true, candidates: options.candidates ?? 0 });
      reservations.push(placement.reservation!);
      placements.push(options.reserve === true ? placement : withoutReservation(placement));
    } catch (error) {
      if (!isDomainError(error) || atomic) {
        undo();
        if (!isDomainError(error) || error.code !== "ResourceExhausted") throw error;
        throw resourceExhausted(
          `vm "${vm.name}" (${i + 1} of ${vms.length} in the batch) cannot be placed: ${error.message}`,
          {
            ...error.details,
            batchIndex: i,
          },
        );
      }
      failures.push({ vmId: vm.id, vmName: vm.name, error });
    }
  }
  if (options.reserve !== true) undo();
  return { placements, failures };
}

function withoutReservation(placement: Placement): Placement {
  const { reservation: _dropped, ...rest } = placement;
  return rest;
}
