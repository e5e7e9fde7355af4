/**
 * HeadReader shares reads of the change log's head between concurrent callers without ever
 * answering one of them with a head read before it asked: a caller that arrives while a read is
 * under way waits for the next read, which starts when that one ends and answers every caller that
 * arrived meanwhile. At most one read is in flight, so a burst of consistent reads (every GetVM
 * served from the copy asks for the head) costs one statement per round trip, not one per call,
 * and each caller still sees every write committed before it asked (as Kubernetes batches the
 * revision reads of its consistent reads from cache).
 */
export class HeadReader {
  /** The read under way, which began before anyone now arriving asked. */
  private running: Promise<number> | undefined;
  /** The read that starts when the running one ends, shared by everyone who arrived meanwhile. */
  private queued: Promise<number> | undefined;

  constructor(private readonly readHead: () => Promise<number>) {}

  /** read returns a head read that began after this call. */
  read(): Promise<number> {
    if (!this.running) return this.start();
    if (!this.queued) {
      const after = this.running.then(
        () => undefined,
        () => undefined,
      );
      this.queued = after.then(() => {
        this.queued = undefined;
        return this.start();
      });
    }
    return this.queued;
  }

  private start(): Promise<number> {
    const read = this.readHead();
    this.running = read;
    const done = () => {
      if (this.running === read) this.running = undefined;
    };
    read.then(done, done);
    return read;
  }
}
