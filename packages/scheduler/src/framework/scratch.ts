/**
 * Scratch is the typed arrays one placement works in: the rows of the feasible nodes, their
 * weighted totals and one column per score, each at least as long as the cluster has nodes.
 */
export interface Scratch {
  rows: Int32Array;
  totals: Float64Array;
  readonly columns: Float64Array[];
}

/**
 * ScratchPool lends a Scheduler's placements their Scratch, so a placement over 10,000 nodes
 * allocates no arrays of that size. A placement started while another is under way (a plugin
 * placing from inside `prepare`) gets arrays of its own.
 */
export class ScratchPool {
  private idle: Scratch | undefined;

  /** acquire lends scratch arrays for `size` nodes; give them back with release. */
  acquire(size: number): Scratch {
    const scratch = this.idle ?? { rows: new Int32Array(0), totals: new Float64Array(0), columns: [] };
    this.idle = undefined;
    if (scratch.rows.length < size) {
      scratch.rows = new Int32Array(size);
      scratch.totals = new Float64Array(size);
      scratch.columns.length = 0;
    }
    return scratch;
  }

  /** column is the k-th score column of a scratch, as long as its rows. */
  column(scratch: Scratch, k: number): Float64Array {
    while (scratch.columns.length <= k) scratch.columns.push(new Float64Array(scratch.rows.length));
    return scratch.columns[k]!;
  }

  /** release takes lent arrays back for the next placement. */
  release(scratch: Scratch): void {
    this.idle = scratch;
  }
}
