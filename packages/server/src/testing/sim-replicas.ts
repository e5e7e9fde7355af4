import { createTestPki } from "@limiquantix/agent-client/testing";
import { pino } from "pino";
import type { Config } from "../config/schema";
import { type RunningServer, startServer } from "../runtime/server";
import { SimLab } from "../sim/sim-lab";

/**
 * SimReplicas starts server replicas in the test's process that share one simulated lab and one
 * PKI, so whichever replica leads reaches (and fences) the simulated nodes another one runs.
 */
export class SimReplicas {
  private readonly lab = new SimLab();
  private readonly pki;
  private readonly running: RunningServer[] = [];

  constructor(
    name: string,
    private readonly config: () => Config,
  ) {
    this.pki = createTestPki(`${name}-ca`);
  }

  /** start starts a replica running `simNodes` simulated nodes (0: none). */
  async start(simNodes: number): Promise<RunningServer> {
    const base = this.config();
    const s = await startServer(
      { ...base, simulation: { ...base.simulation, nodes: simNodes } },
      { logger: pino({ level: "silent" }), version: "test", simLab: this.lab, simPki: this.pki },
    );
    this.running.push(s);
    return s;
  }

  /** stop stops one replica (a leader going away). */
  async stop(s: RunningServer): Promise<void> {
    this.running.splice(this.running.indexOf(s), 1);
    await s.stop();
  }

  /** stopAll stops every replica still running, the last started first. */
  async stopAll(): Promise<void> {
    for (const s of this.running.splice(0).reverse()) await s.stop().catch(() => undefined);
  }
}
