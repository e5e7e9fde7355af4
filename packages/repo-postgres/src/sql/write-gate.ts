/** Release gives a held gate back; calling it again does nothing. */
export type Release = () => void;

/**
 * WriteGate lets one holder through at a time, in arrival order. A PGlite store holds it for
 * each write outside a unit of work, and a unit of work holds it from its first write to its
 * commit: PGlite's units of work replay their calls, and the revisions their writes take must
 * come out the same in the final replay as in the trials whose answers the work saw.
 */
export class WriteGate {
  private tail: Promise<void> = Promise.resolve();

  /** acquire waits for the gate and returns the function that releases it. */
  acquire(): Promise<Release> {
    let open!: () => void;
    const held = new Promise<void>((resolve) => {
      open = resolve;
    });
    const previous = this.tail;
    this.tail = previous.then(() => held);
    return previous.then(() => {
      let released = false;
      return () => {
        if (released) return;
        released = true;
        open();
      };
    });
  }

  /** run runs fn while holding the gate. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
