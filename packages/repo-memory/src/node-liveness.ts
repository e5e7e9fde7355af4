import type { NodeLiveness } from "@limiquantix/domain";

/** MemoryNodeLiveness keeps node beats in this process: for a single replica, and tests. */
export class MemoryNodeLiveness implements NodeLiveness {
  private readonly beats = new Map<string, number>();

  async beat(nodeId: string, atMs: number): Promise<void> {
    // A beat that arrives late (an older timestamp) never moves the last one back.
    if ((this.beats.get(nodeId) ?? Number.NEGATIVE_INFINITY) < atMs) this.beats.set(nodeId, atMs);
  }

  async lastBeats(): Promise<ReadonlyMap<string, number>> {
    return new Map(this.beats);
  }

  async forget(nodeId: string): Promise<void> {
    this.beats.delete(nodeId);
  }
}
