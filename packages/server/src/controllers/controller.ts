/** Controller is a background loop of the control plane (reconciler, node health, HA, DRS, alerts). */
export interface Controller {
  readonly name: string;
  /** start begins the loop; it must return promptly and stop work when signal aborts. */
  start(signal: AbortSignal): Promise<void>;
  /** stop ends the loop and waits for work in progress. */
  stop(): Promise<void>;
}
