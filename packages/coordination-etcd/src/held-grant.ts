import { type DomainError, failedPrecondition } from "@limiquantix/domain";
import type { Etcd3 } from "etcd3";
import { classifyEtcdError } from "./errors";
import type { LeaseSession } from "./lease-session";
import { type ResumableWatch, watchPrefix } from "./resumable-watch";

/**
 * HeldGrant is a key we own in a lock or election queue. Its signal aborts when the lease is
 * lost or in doubt (see LeaseSession) or when the key itself is deleted (by `etcdctl del`, an
 * operator, or a revoked lease), whichever comes first.
 */
export class HeldGrant {
  private readonly controller = new AbortController();
  private readonly watch: ResumableWatch;
  private released: Promise<void> | undefined;

  constructor(
    client: Etcd3,
    private readonly session: LeaseSession,
    readonly key: string,
    readonly token: number,
    onError?: (error: DomainError) => void,
  ) {
    const onSessionEnd = () => this.controller.abort(session.signal.reason);
    if (session.signal.aborted) onSessionEnd();
    else session.signal.addEventListener("abort", onSessionEnd, { once: true });
    this.watch = watchPrefix(client, key, {
      afterRevision: token,
      onEvents: (events) => {
        if (events.some((e) => e.key === key && e.type === "delete")) {
          this.controller.abort(failedPrecondition(`${key} was deleted in etcd; the grant is lost`));
          void this.release();
        }
      },
      onError: (err) => onError?.(classifyEtcdError(err, `watching ${key}`)),
    });
    this.controller.signal.addEventListener("abort", () => void this.watch.close(), { once: true });
  }

  /** signal aborts when the grant is lost; its reason is a DomainError. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** release deletes the key by revoking its lease; safe to call more than once. */
  release(): Promise<void> {
    this.released ??= (async () => {
      this.controller.abort(failedPrecondition(`${this.key} was released`));
      await this.watch.close();
      await this.session.revoke();
    })();
    return this.released;
  }
}
