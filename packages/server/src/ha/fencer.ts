import type { Node } from "@limiquantix/domain";

/** FenceResult is how fencing a node ended: it is fenced (off, its VMs with it), or it is not, and why. */
export type FenceResult =
  | { readonly outcome: "fenced"; readonly message: string }
  | { readonly outcome: "failed"; readonly reason: string };

/**
 * Fencer cuts a failed node off for good (powers it off through its BMC, or waits for an operator
 * who did), so that none of its VMs can still run when HA restarts them elsewhere. `fence` must
 * answer "fenced" only when that is certain; anything else is "failed" with the reason, and is tried
 * again later.
 */
export interface Fencer {
  /** method names how this fencer fences (`sim-bmc`, `manual`), for conditions and logs. */
  readonly method: string;
  /** fence fences one node; it never throws, a failure is a result. */
  fence(node: Node): Promise<FenceResult>;
}

/**
 * FencerChoice picks the fencer of each node: the first whose `handles` says yes, else the
 * fallback (manual fencing, unless configured otherwise).
 */
export class FencerChoice {
  private readonly fencers: { handles: (node: Node) => boolean; fencer: Fencer }[] = [];

  constructor(private readonly fallback: Fencer) {}

  /** add puts a fencer before the others for the nodes it handles (simulated nodes → the simulated BMC). */
  add(handles: (node: Node) => boolean, fencer: Fencer): void {
    this.fencers.unshift({ handles, fencer });
  }

  /** fencerFor returns the fencer of a node. */
  fencerFor(node: Node): Fencer {
    return this.fencers.find((f) => f.handles(node))?.fencer ?? this.fallback;
  }
}

/** MANUAL_FENCING_REASON is what a node waiting for an operator's ConfirmNodeFenced says. */
export const MANUAL_FENCING_REASON =
  "no automatic fencing for this node: power it off (or cut it from storage and network), then call NodeService/ConfirmNodeFenced";

/**
 * ManualFencer is the fencer of nodes without an out-of-band power switch: it never fences by
 * itself; the node stays FENCING until an operator confirms with ConfirmNodeFenced, which moves it
 * to FAILED.
 */
export class ManualFencer implements Fencer {
  readonly method = "manual";

  async fence(_node: Node): Promise<FenceResult> {
    return { outcome: "failed", reason: MANUAL_FENCING_REASON };
  }
}
