// The benchmark runs each timed section on a settled heap, so one section's garbage is not
// collected on another's clock. The bench script starts node with --expose-gc for this.

/** collectGarbage runs a full collection when node exposes `gc`, and does nothing otherwise. */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
