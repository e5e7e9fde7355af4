import type { Repositories, UnitOfWork } from "@limiquantix/domain";
import { createRepositories } from "./repositories/create-repositories";
import { type MemoryStore, Transaction } from "./store";

/**
 * MemoryUnitOfWork runs work all-or-nothing over a private view of the store. It holds the
 * store's write mutex for the whole work, so works and single writes are serialised: a capacity
 * check made inside a work still holds when it commits. Reads outside see only committed rows.
 * Calls do not nest: starting a work, or a write through the store's own repositories, from
 * inside a work waits forever.
 */
export class MemoryUnitOfWork implements UnitOfWork {
  constructor(private readonly store: MemoryStore) {}

  async run<R>(work: (tx: Repositories) => Promise<R>): Promise<R> {
    const release = await this.store.mutex.acquire();
    const tx = new Transaction(this.store);
    try {
      const result = await work(createRepositories(tx));
      tx.commit();
      return result;
    } finally {
      tx.end();
      release();
    }
  }
}
