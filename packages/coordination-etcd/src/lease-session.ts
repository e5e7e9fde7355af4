import { type DomainError, failedPrecondition, invalidArgument, unavailable } from "@limiquantix/domain";
import { ClientClosedError, type Etcd3, EtcdLeaseInvalidError, type ILeaseKeepAliveResponse } from "etcd3";
import { classifyEtcdError } from "./errors";

/** LeaseSessionOptions size a lease and say when to give it up if renewals stop succeeding. */
export interface LeaseSessionOptions {
  /** Lease lifetime in ms; etcd counts whole seconds, so it is rounded up (minimum 1 s). */
  readonly ttlMs: number;
  /**
   * Fraction of the TTL, counted from the sending of the last renewal that etcd confirmed, after
   * which the session is declared lost (default 0.5). Below 1, the holder steps down while the
   * lease is certainly still alive, so no other holder can have been granted yet.
   */
  readonly stepDownRatio?: number;
  /** Deadline of each renewal and of the grant, in ms. */
  readonly callTimeoutMs: number;
  /** Receives failures of background work (renewals, best-effort revokes). */
  readonly onError?: (error: DomainError) => void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * LeaseSession owns one etcd lease and renews it itself (four times per TTL). etcd3's own
 * keep-alive only reports a lease lost after 2×TTL without contact; this session instead aborts
 * its signal as soon as the time since the last confirmed renewal passes stepDownRatio×TTL,
 * or at once when etcd says the lease is gone.
 */
export class LeaseSession {
  /** id is the lease id in decimal, as etcd's API carries it. */
  readonly id: string;
  /** hexId is the lease id in lower-case hex, as etcd's concurrency recipes name their keys. */
  readonly hexId: string;
  readonly ttlMs: number;
  private readonly controller = new AbortController();
  private confirmedAt: number;
  private renewTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private ended = false;

  private constructor(
    private readonly client: Etcd3,
    id: string,
    ttlMs: number,
    sentAt: number,
    private readonly options: LeaseSessionOptions,
    private readonly stepDownMs: number,
  ) {
    this.id = id;
    this.hexId = BigInt(id).toString(16);
    this.ttlMs = ttlMs;
    this.confirmedAt = sentAt;
    this.armWatchdog();
    this.renewTimer = setInterval(() => void this.renew(), Math.max(100, Math.floor(ttlMs / 4)));
    this.renewTimer.unref?.();
  }

  /** grant asks etcd for a new lease and starts renewing it. */
  static async grant(client: Etcd3, options: LeaseSessionOptions): Promise<LeaseSession> {
    if (!Number.isSafeInteger(options.ttlMs) || options.ttlMs <= 0) {
      throw invalidArgument([
        { field: "ttlMs", description: `must be a positive integer (got ${options.ttlMs})` },
      ]);
    }
    const ratio = options.stepDownRatio ?? 0.5;
    if (!(ratio > 0 && ratio < 1)) {
      throw invalidArgument([
        { field: "stepDownRatio", description: `must be between 0 and 1 (got ${ratio})` },
      ]);
    }
    const seconds = Math.max(1, Math.ceil(options.ttlMs / 1000));
    const sentAt = Date.now();
    let res: { ID: string; TTL: string };
    try {
      res = await client.leaseClient.leaseGrant(
        { TTL: seconds },
        { deadline: sentAt + options.callTimeoutMs },
      );
    } catch (err) {
      throw classifyEtcdError(err, "granting an etcd lease");
    }
    // etcd may raise a TTL below its minimum; trust what it granted.
    const ttlMs = Math.max(seconds, Number(res.TTL)) * 1000;
    return new LeaseSession(client, res.ID, ttlMs, sentAt, options, Math.floor(ttlMs * ratio));
  }

  /** signal aborts when the lease is lost, in doubt, or revoked; its reason is a DomainError. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** revoke ends the session and deletes the lease (and so its keys); if etcd is unreachable it keeps trying in the background. */
  async revoke(): Promise<void> {
    this.end(failedPrecondition("the lease was released"));
    if (await this.tryRevoke()) return;
    void this.revokeInBackground();
  }

  private end(reason: DomainError): void {
    if (this.ended) return;
    this.ended = true;
    clearInterval(this.renewTimer);
    clearTimeout(this.watchdog);
    this.controller.abort(reason);
  }

  private lose(reason: DomainError): void {
    if (this.ended) return;
    this.end(reason);
    // Delete our keys as soon as etcd is reachable again, so others need not wait for the TTL
    // (a restarted etcd even renews every lease to its full TTL).
    void this.revokeInBackground();
  }

  private armWatchdog(): void {
    clearTimeout(this.watchdog);
    const due = this.confirmedAt + this.stepDownMs - Date.now();
    this.watchdog = setTimeout(
      () => {
        if (Date.now() - this.confirmedAt >= this.stepDownMs) {
          this.lose(
            unavailable(
              `etcd lease ${this.hexId} could not be renewed for ${Date.now() - this.confirmedAt} ms; stepped down before it could expire`,
            ),
          );
        } else this.armWatchdog();
      },
      Math.max(0, due),
    );
    this.watchdog.unref?.();
  }

  private async renew(): Promise<void> {
    if (this.ended) return;
    const sentAt = Date.now();
    try {
      const res = await this.keepAliveOnce(sentAt + Math.min(this.options.callTimeoutMs, this.stepDownMs));
      if (this.ended) return;
      if (res.TTL === "0") {
        this.lose(failedPrecondition(`etcd lease ${this.hexId} expired or was revoked`));
        return;
      }
      if (sentAt > this.confirmedAt) this.confirmedAt = sentAt;
      this.armWatchdog();
    } catch (err) {
      if (!this.ended) this.options.onError?.(classifyEtcdError(err, `renewing etcd lease ${this.hexId}`));
    }
  }

  private async keepAliveOnce(deadline: number): Promise<ILeaseKeepAliveResponse> {
    const stream = await this.client.leaseClient.leaseKeepAlive({ deadline });
    try {
      return await new Promise<ILeaseKeepAliveResponse>((resolve, reject) => {
        stream.on("data", resolve);
        stream.on("error", reject);
        stream.on("end", () => reject(new Error("keep-alive stream ended")));
        stream.write({ ID: this.id });
      });
    } finally {
      // Errors after we are done with the stream (a late cancel) must not go unhandled.
      stream.on("error", () => {});
      stream.end();
    }
  }

  private async tryRevoke(): Promise<boolean> {
    try {
      await this.client.leaseClient.leaseRevoke(
        { ID: this.id },
        { deadline: Date.now() + this.options.callTimeoutMs },
      );
      return true;
    } catch (err) {
      // "Lease not found" means it already expired: the goal is reached. A closed client
      // cannot revoke any more; the lease expires on its own.
      if (err instanceof EtcdLeaseInvalidError || err instanceof ClientClosedError) return true;
      this.options.onError?.(classifyEtcdError(err, `revoking etcd lease ${this.hexId}`));
      return false;
    }
  }

  private async revokeInBackground(): Promise<void> {
    // Give up after a few TTLs: by then etcd has expired the lease on its own.
    const until = Date.now() + 3 * this.ttlMs;
    while (Date.now() < until) {
      if (await this.tryRevoke()) return;
      await sleep(Math.min(1000, this.ttlMs / 4));
    }
  }
}
