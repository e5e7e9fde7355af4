import type { NodeColumns } from "./node-columns";

interface Entry<T> {
  revision: number;
  readonly value: T;
}

/**
 * RowCache keeps values derived per row of a snapshot's columns for a few request keys (a demand,
 * a set of tolerations), and brings one up to date by recomputing only the rows written since,
 * so a request like the last few costs a look-up instead of a pass over every node.
 */
export class RowCache<T> {
  private readonly byColumns = new WeakMap<NodeColumns, Map<string, Entry<T>>>();

  /** @param limit how many keys to keep per columns; the least recently used goes first. */
  constructor(private readonly limit: number) {}

  /**
   * get returns the value for a key: made by `make` for the number of rows, with `update` run for
   * every row, the first time; afterwards `update` runs only for the rows written since.
   */
  get(
    columns: NodeColumns,
    key: string,
    make: (rows: number) => T,
    update: (value: T, row: number) => void,
  ): T {
    let entries = this.byColumns.get(columns);
    if (entries === undefined) {
      entries = new Map();
      this.byColumns.set(columns, entries);
    }
    let entry = entries.get(key);
    if (entry === undefined) {
      if (entries.size >= this.limit) entries.delete(entries.keys().next().value!);
      entry = { revision: columns.revision, value: make(columns.nodes.length) };
      for (let r = 0; r < columns.nodes.length; r++) update(entry.value, r);
    } else {
      entries.delete(key);
      if (entry.revision !== columns.revision) {
        const changed = columns.rowsChangedSince(entry.revision);
        if (changed === undefined) for (let r = 0; r < columns.nodes.length; r++) update(entry.value, r);
        else for (let i = 0; i < changed.length; i++) update(entry.value, changed[i]!);
        entry.revision = columns.revision;
      }
    }
    entries.set(key, entry);
    return entry.value;
  }
}
