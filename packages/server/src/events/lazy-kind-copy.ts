import type { ChangeLogEntry, Resource } from "@limiquantix/domain";
import { KindCopy } from "./kind-copy";

/** Loading is a read of the kind under way, with the changes relayed meanwhile. */
interface Loading {
  readonly changes: ChangeLogEntry[];
  done: Promise<void>;
}

/**
 * LazyKindCopy is this replica's copy of one kind, read from the store the first time it is needed
 * and kept by the change log from then on. While it loads, the changes relayed meanwhile are kept
 * and applied over what was read (a change already read is ignored by its version), so nothing is
 * missed: a change relayed before the load began was committed before its read.
 */
export class LazyKindCopy<T extends Resource> {
  private copy: KindCopy<T> | undefined;
  private loading: Loading | undefined;

  constructor(private readonly read: () => Promise<readonly T[]>) {}

  /** held is the copy when it is loaded, else undefined. */
  get held(): KindCopy<T> | undefined {
    return this.copy;
  }

  /** ready resolves with the copy once it holds the kind, loading it on first use. */
  async ready(): Promise<KindCopy<T>> {
    if (this.copy) return this.copy;
    await (this.loading ?? this.load()).done;
    if (!this.copy) throw new Error("the copy was reset while it loaded");
    return this.copy;
  }

  private load(): Loading {
    const loading: Loading = { changes: [], done: Promise.resolve() };
    this.loading = loading;
    loading.done = (async () => {
      try {
        const rows = await this.read();
        if (this.loading !== loading) return;
        const copy = new KindCopy<T>();
        copy.load(rows);
        for (const entry of loading.changes) copy.apply(entry);
        this.copy = copy;
      } finally {
        if (this.loading === loading) this.loading = undefined;
      }
    })();
    return loading;
  }

  /** change applies one relayed change of the kind (kept for later while the copy loads). */
  change(entry: ChangeLogEntry): void {
    if (this.copy) this.copy.apply(entry);
    else this.loading?.changes.push(entry);
  }

  /** reset forgets the copy (the relay skipped changes): the next use reads the kind again. */
  reset(): void {
    this.copy = undefined;
    this.loading = undefined;
  }
}
