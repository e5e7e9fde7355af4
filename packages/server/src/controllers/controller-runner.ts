import {
  type ChangeLog,
  type Coordinator,
  isFencedOut,
  type Leadership,
  type WriteFence,
} from "@limiquantix/domain";
import type { Logger } from "pino";
import { runFenced } from "../context/call-scope";
import type { Controller } from "./controller";

/** CONTROLLERS_ELECTION is the election whose leader runs the controllers. */
export const CONTROLLERS_ELECTION = "limiquantix-controllers";

/** ControllerRunnerOptions say how the leader fences its writes and reports its state. */
export interface ControllerRunnerOptions {
  /**
   * Where the leader claims its leadership's fence before it acts and presents it again every
   * `fenceCheckMs` (the store's change log). Given where several replicas share the store
   * (production); without it (one process owns the store) writes carry no fence.
   */
  readonly fences?: Pick<ChangeLog, "advanceFence">;
  /** How often the leader presents its fence again, stepping down when it is refused (default 2000 ms). */
  readonly fenceCheckMs?: number;
  /** Pause before campaigning again after a refused claim or a failed campaign (default 1000 ms). */
  readonly retryMs?: number;
  /** Told when this replica starts (true) and stops (false) leading. */
  readonly onLeading?: (leading: boolean) => void;
  /** Told each time this replica's fence is refused. */
  readonly onFenced?: () => void;
}

/**
 * ControllerRunner runs the controllers that must run once per cluster of replicas (reconciler,
 * node health, HA, DRS, alerts) only while this replica leads the election. A new leader first
 * claims its leadership's fence in the store, then starts the controllers under it: every write
 * they make carries the fencing token, and the store refuses it once a newer leader has claimed
 * (a leader paused past its lease cannot write after its successor took over, even before it
 * notices). The leader presents its fence again every `fenceCheckMs`; when leadership is lost or
 * the fence is refused it stops the controllers at once, resigns and campaigns again.
 */
export class ControllerRunner {
  private leadership: { office: Leadership; lost: AbortController } | undefined;
  private running: Controller[] = [];
  private closed = new AbortController();
  private loop: Promise<void> | undefined;
  /** Whether the controllers were started under the current leadership (onLeading was told true). */
  private leading = false;
  /** Whether a presentation of the fence is waiting for the store. */
  private presenting = false;

  constructor(
    private readonly coordinator: Coordinator,
    private readonly candidate: string,
    private readonly controllers: readonly Controller[],
    private readonly logger: Logger,
    private readonly options: ControllerRunnerOptions = {},
  ) {}

  /** isLeader says whether this replica runs the controllers now. */
  get isLeader(): boolean {
    return this.leadership !== undefined && !this.leadership.lost.signal.aborted;
  }

  /** principal is how the change log names the writes of this replica's controllers. */
  get principal(): string {
    return `controller:${this.candidate}`;
  }

  /** start begins campaigning in the background. */
  start(): void {
    this.loop = this.campaignLoop();
  }

  private async campaignLoop(): Promise<void> {
    while (!this.closed.signal.aborted) {
      let heartbeat: ReturnType<typeof setInterval> | undefined;
      try {
        const office = await this.coordinator.campaign(CONTROLLERS_ELECTION, this.candidate, {
          signal: this.closed.signal,
        });
        const lost = new AbortController();
        const loseWith = () => lost.abort(office.signal.reason);
        if (office.signal.aborted) loseWith();
        office.signal.addEventListener("abort", loseWith, { once: true });
        this.leadership = { office, lost };
        const fence: WriteFence = { name: CONTROLLERS_ELECTION, token: office.token };
        const { fences } = this.options;
        if (fences) await this.claim(fences, fence);
        this.logger.info({ candidate: this.candidate, token: office.token }, "leading: starting controllers");
        this.leading = true;
        this.options.onLeading?.(true);
        await runFenced({ principal: this.principal, ...(fences ? { fence } : {}) }, async () => {
          for (const c of this.controllers) {
            if (lost.signal.aborted) break;
            await c.start(lost.signal);
            this.running.push(c);
          }
        });
        if (fences)
          heartbeat = setInterval(
            () => void this.presentFence(fences, fence, lost),
            this.options.fenceCheckMs ?? 2000,
          );
        await new Promise<void>((resolve) => {
          if (lost.signal.aborted || this.closed.signal.aborted) resolve();
          lost.signal.addEventListener("abort", () => resolve(), { once: true });
          this.closed.signal.addEventListener("abort", () => resolve(), { once: true });
        });
        if (!this.closed.signal.aborted) this.logger.warn("leadership lost: stopping controllers");
      } catch (e) {
        if (this.closed.signal.aborted) break;
        this.logger.warn({ err: e }, "campaign failed; retrying");
        await new Promise((r) => setTimeout(r, this.options.retryMs ?? 1000).unref());
      } finally {
        if (heartbeat) clearInterval(heartbeat);
        await this.stopControllers();
      }
    }
  }

  /** claim records this leadership's token as the newest before any controller acts; a refusal ends the leadership. */
  private async claim(fences: Pick<ChangeLog, "advanceFence">, fence: WriteFence): Promise<void> {
    try {
      await fences.advanceFence(fence);
    } catch (e) {
      if (isFencedOut(e)) {
        this.options.onFenced?.();
        this.logger.error(
          { err: e, token: fence.token, newestToken: e.details.newestToken },
          "elected, but the store has seen a newer leadership token: not acting. If the coordinator (etcd) " +
            "was replaced or reset, its tokens started again below the store's: see docs/operations.md (Leader fencing)",
        );
      }
      throw e;
    }
  }

  /** presentFence presents the fence again; when it is refused, this replica was deposed and steps down. */
  private async presentFence(
    fences: Pick<ChangeLog, "advanceFence">,
    fence: WriteFence,
    lost: AbortController,
  ): Promise<void> {
    // One at a time: while the store is slow or unreachable, checks must not pile up.
    if (this.presenting) return;
    this.presenting = true;
    try {
      await fences.advanceFence(fence);
    } catch (e) {
      if (!isFencedOut(e)) return; // the store is unreachable: the coordinator's lease decides
      this.options.onFenced?.();
      this.logger.warn(
        { token: fence.token, newestToken: e.details.newestToken },
        "fenced: a newer leader was elected while this replica still acted; stepping down",
      );
      lost.abort(e);
    } finally {
      this.presenting = false;
    }
  }

  private async stopControllers(): Promise<void> {
    const held = this.leadership;
    held?.lost.abort();
    const running = this.running;
    this.running = [];
    for (const c of running.reverse())
      await c.stop().catch((e: unknown) => this.logger.error({ err: e, controller: c.name }, "stop failed"));
    this.leadership = undefined;
    if (this.leading) {
      this.leading = false;
      this.options.onLeading?.(false);
    }
    await held?.office.resign().catch(() => undefined);
  }

  /** stop stops the controllers and resigns. */
  async stop(): Promise<void> {
    this.closed.abort();
    await this.loop;
  }
}
