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

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for await (const chunk of this.source) {
      if (this.chunks) {
        this.kept += chunk.byteLength;
        if (this.kept <= this.maxBytes) this.chunks.push(chunk);
        else this.chunks = undefined;
      }
      yield chunk;
    }
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
