import type { Coordinator, Leadership } from "@limiquantix/domain";
import type { Logger } from "pino";
import type { Controller } from "./controller";

/** CONTROLLERS_ELECTION is the election whose leader runs the controllers. */
export const CONTROLLERS_ELECTION = "limiquantix-controllers";

/**
 * ControllerRunner runs the controllers that must run once per cluster of replicas (reconciler,
 * node health, and later HA, DRS, alerts) only while this replica leads the election; when
 * leadership is lost it stops them at once and campaigns again.
 */
export class ControllerRunner {
  private leadership: Leadership | undefined;
  private running: Controller[] = [];
  private closed = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly coordinator: Coordinator,
    private readonly candidate: string,
    private readonly controllers: readonly Controller[],
    private readonly logger: Logger,
  ) {}

  /** isLeader says whether this replica runs the controllers now. */
  get isLeader(): boolean {
    return this.leadership !== undefined && !this.leadership.signal.aborted;
  }

  /** start begins campaigning in the background. */
  start(): void {
    this.loop = this.campaignLoop();
  }

  private async campaignLoop(): Promise<void> {
    while (!this.closed.signal.aborted) {
      try {
        const office = await this.coordinator.campaign(CONTROLLERS_ELECTION, this.candidate, {
          signal: this.closed.signal,
        });
        this.leadership = office;
        this.logger.info({ candidate: this.candidate, token: office.token }, "leading: starting controllers");
        for (const c of this.controllers) {
          await c.start(office.signal);
          this.running.push(c);
        }
        await new Promise<void>((resolve) => {
          if (office.signal.aborted || this.closed.signal.aborted) resolve();
          office.signal.addEventListener("abort", () => resolve(), { once: true });
          this.closed.signal.addEventListener("abort", () => resolve(), { once: true });
        });
        if (!this.closed.signal.aborted) this.logger.warn("leadership lost: stopping controllers");
      } catch (e) {
        if (this.closed.signal.aborted) break;
        this.logger.warn({ err: e }, "campaign failed; retrying");
        await new Promise((r) => setTimeout(r, 1000).unref());
      } finally {
        await this.stopControllers();
      }
    }
  }

  private async stopControllers(): Promise<void> {
    const running = this.running;
    this.running = [];
    for (const c of running.reverse())
      await c.stop().catch((e: unknown) => this.logger.error({ err: e, controller: c.name }, "stop failed"));
    const office = this.leadership;
    this.leadership = undefined;
    await office?.resign().catch(() => undefined);
  }

  /** stop stops the controllers and resigns. */
  async stop(): Promise<void> {
    this.closed.abort();
    await this.loop;
  }
}
