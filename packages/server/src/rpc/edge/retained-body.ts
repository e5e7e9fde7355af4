/**
 * RetainedBody passes a request body through to the protocol handler and keeps the chunks it
 * passed (up to a limit) until the call is decoded, so that a call the protocol fails to decode can
 * be diagnosed afterwards. release drops them as soon as the request is known to decode.
 */
export class RetainedBody implements AsyncIterable<Uint8Array> {
  private chunks: Uint8Array[] | undefined = [];
  private kept = 0;

  constructor(
    private readonly source: AsyncIterable<Uint8Array>,
    private readonly maxBytes: number,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    const it = this.source[Symbol.asyncIterator]();
    // A plain iterator rather than an async generator: one promise per chunk, not three.
    return {
      next: () =>
        it.next().then((r) => {
          if (!r.done) this.keep(r.value);
          return r;
        }),
      return: (value?: unknown) => it.return?.(value) ?? Promise.resolve({ done: true, value: undefined }),
      throw: (e?: unknown) => it.throw?.(e) ?? Promise.reject(e),
    };
  }

  private keep(chunk: Uint8Array): void {
    if (!this.chunks) return;
    this.kept += chunk.byteLength;
    if (this.kept <= this.maxBytes) this.chunks.push(chunk);
    else this.chunks = undefined;
  }

  /** release stops keeping chunks and lets go of the ones kept. */
  release(): void {
    this.chunks = undefined;
  }

  /** bytes gives the body received so far, or undefined once released or past the limit. */
  bytes(): Uint8Array | undefined {
    return this.chunks ? Buffer.concat(this.chunks) : undefined;
  }
}
