// The loops over every feasible node live in small functions of their own, so they stay
// optimised whatever the VM objects handed to `Scheduler.place` do to its type feedback.

/** clamp keeps a score in 0..100 (NaN: 0), so a plugin that strays cannot outweigh its weight. */
function clamp(v: number): number {
  return Number.isNaN(v) ? 0 : v < 0 ? 0 : v > 100 ? 100 : v;
}

// Up to three columns are added in one pass (fewer passes over memory); each score is clamped in
// place, and the sums run left to right, column after column, as a column-by-column loop adds them.

function addOne(t: Float64Array, count: number, fresh: boolean, a: Float64Array, wa: number): void {
  for (let j = 0; j < count; j++) {
    let x = a[j]!;
    if (!(x >= 0 && x <= 100)) a[j] = x = clamp(x);
    t[j] = (fresh ? 0 : t[j]!) + wa * x;
  }
}

function addTwo(
  t: Float64Array,
  count: number,
  fresh: boolean,
  a: Float64Array,
  wa: number,
  b: Float64Array,
  wb: number,
): void {
  for (let j = 0; j < count; j++) {
    let x = a[j]!;
    if (!(x >= 0 && x <= 100)) a[j] = x = clamp(x);
    let y = b[j]!;
    if (!(y >= 0 && y <= 100)) b[j] = y = clamp(y);
    t[j] = (fresh ? 0 : t[j]!) + wa * x + wb * y;
  }
}

function addThree(
  t: Float64Array,
  count: number,
  fresh: boolean,
  a: Float64Array,
  wa: number,
  b: Float64Array,
  wb: number,
  c: Float64Array,
  wc: number,
): void {
  for (let j = 0; j < count; j++) {
    let x = a[j]!;
    if (!(x >= 0 && x <= 100)) a[j] = x = clamp(x);
    let y = b[j]!;
    if (!(y >= 0 && y <= 100)) b[j] = y = clamp(y);
    let z = c[j]!;
    if (!(z >= 0 && z <= 100)) c[j] = z = clamp(z);
    t[j] = (fresh ? 0 : t[j]!) + wa * x + wb * y + wc * z;
  }
}

/**
 * weightedTotals clamps every score column to 0..100 in place and writes to `totals[j]` the sum,
 * in column order, of weight × score of feasible node j.
 */
export function weightedTotals(
  table: readonly Float64Array[],
  weights: readonly number[],
  count: number,
  totals: Float64Array,
): void {
  if (table.length === 0) totals.fill(0, 0, count);
  for (let k = 0; k < table.length; k += 3) {
    const fresh = k === 0;
    const left = table.length - k;
    if (left === 1) addOne(totals, count, fresh, table[k]!, weights[k]!);
    else if (left === 2) addTwo(totals, count, fresh, table[k]!, weights[k]!, table[k + 1]!, weights[k + 1]!);
    else
      addThree(
        totals,
        count,
        fresh,
        table[k]!,
        weights[k]!,
        table[k + 1]!,
        weights[k + 1]!,
        table[k + 2]!,
        weights[k + 2]!,
      );
  }
}

/**
 * bestOf is the feasible node with the highest total, ties broken by node id, or seeded by the
 * seeded hash of the id first. Rows are in node id order, so comparing rows compares ids.
 */
export function bestOf(
  totals: Float64Array,
  rows: Int32Array,
  count: number,
  hashes: Uint32Array | undefined,
): number {
  let best = 0;
  for (let j = 1; j < count; j++) {
    const d = totals[j]! - totals[best]!;
    if (d > 0) best = j;
    else if (d === 0) {
      const h = hashes === undefined ? 0 : hashes[rows[j]!]! - hashes[rows[best]!]!;
      if (h < 0 || (h === 0 && rows[j]! < rows[best]!)) best = j;
    }
  }
  return best;
}
