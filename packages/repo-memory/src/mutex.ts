/** Release gives a held mutex back. */
export type Release = () => void;

/**
 * Mutex serialises async critical sections in FIFO order. The memory store holds it for every
 * write and for the whole of a unit of work, so a check made inside a unit of work still holds
 * when the work commits.
 */
export class Mutex {
  private held = false;
  private readonly waiters: (() => void)[] = [];

  /** acquire waits for the mutex and returns the function that releases it (idempotent). */
  async acquire(): Promise<Release> {
    if (this.held) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.held = true;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.held = false;
    };
  }

  /** runExclusive runs fn while holding the mutex. */
  async runExclusive<R>(fn: () => R | Promise<R>): Promise<R> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
