import {
  ErrorCode,
  hasErrorCode,
  invalidArgument,
  joinTokenState,
  type ListFilter,
  MAX_JOIN_TOKEN_USES,
  type NodeJoinToken,
  type Page,
  type PageRequest,
  permissionDenied,
  unavailable,
} from "@limiquantix/domain";
import type { CallContext } from "../../context/call-context";
import { readModifyWrite } from "../../shared/read-modify-write";
import type { ServiceDeps } from "../../shared/service-deps";
import { newRefreshSecret } from "../identity/refresh-token";
import {
  expiredJoinToken,
  formatJoinToken,
  invalidJoinToken,
  parseJoinToken,
  secretMatches,
} from "./join-token-string";

/** DEFAULT_JOIN_TOKEN_TTL_MS is how long a join token lasts when its creator does not say: 24 hours. */
export const DEFAULT_JOIN_TOKEN_TTL_MS = 24 * 3_600_000;
/** MAX_JOIN_TOKEN_TTL_MS is the longest a join token may last: 7 days. */
export const MAX_JOIN_TOKEN_TTL_MS = 7 * 86_400_000;

/** ENDED_JOIN_TOKEN_KEEP_MS is how long a join token is kept after it ends (expires or is used up), so operators can still read it: a day. */
export const ENDED_JOIN_TOKEN_KEEP_MS = 86_400_000;

/** endedAt is when a join token stopped admitting nodes (its expiry, or the join that spent its last use), or undefined while it admits them. */
export function endedAt(token: NodeJoinToken): number | undefined {
  const expired = Date.parse(token.expiresAt);
  const usedUp = token.uses >= token.maxUses ? Date.parse(token.updatedAt) : Number.POSITIVE_INFINITY;
  const ended = Math.min(expired, usedUp);
  return ended === Number.POSITIVE_INFINITY ? undefined : ended;
}

/** NewJoinToken is what creating a join token takes; without expiresAt or ttlMs it lasts 24 hours. */
export interface NewJoinToken {
  readonly name: string;
  readonly description?: string;
  readonly labels?: Record<string, string>;
  /** When the token expires (at most 7 days from now). */
  readonly expiresAt?: Date;
  /** How long the token lasts from now (at most 7 days); ignored when expiresAt is given. */
  readonly ttlMs?: number;
  /** How many nodes it admits (default 1, at most 1000). */
  readonly maxUses?: number;
  readonly clusterId?: string;
}

/** CreatedJoinToken is a new join token and its token string, which is handed out once. */
export interface CreatedJoinToken {
  readonly joinToken: NodeJoinToken;
  /** `<id>.<secret>`, what JoinNode takes. */
  readonly token: string;
}

/** SpentJoinToken is a join token after a join spent one of its uses, and the cluster the node goes into. */
export interface SpentJoinToken {
  readonly joinToken: NodeJoinToken;
  readonly clusterId?: string;
}

const MAX_SPEND_ATTEMPTS = 10;
// A made-up hash to compare with when the token is unknown, so that an unknown id costs what a wrong secret does.
const DECOY_HASH = newRefreshSecret().hash;

/**
 * JoinTokenService keeps node join tokens: admins create (the secret is drawn here, returned once,
 * and only its hash is stored), read and revoke them; joins spend them. A use is spent with an
 * optimistic update of the token (its resourceVersion), retried on a lost race after the token is
 * checked again, so concurrent joins never spend more uses than the token has.
 */
export class JoinTokenService {
  constructor(private readonly deps: ServiceDeps) {}

  /** create stores a new join token and returns it with its token string. */
  async create(ctx: CallContext, input: NewJoinToken): Promise<CreatedJoinToken> {
    const now = this.deps.clock.now().getTime();
    const expiresAt = input.expiresAt?.getTime() ?? now + (input.ttlMs ?? DEFAULT_JOIN_TOKEN_TTL_MS);
    if (!(expiresAt > now) || expiresAt > now + MAX_JOIN_TOKEN_TTL_MS)
      throw invalidArgument([
        {
          field: input.expiresAt ? "expire_time" : "ttl",
          description: "must be in the future and at most 7 days away",
        },
      ]);
    const maxUses = input.maxUses || 1;
    if (!Number.isInteger(maxUses) || maxUses > MAX_JOIN_TOKEN_USES)
      throw invalidArgument([
        { field: "max_uses", description: `must be a whole number from 1 to ${MAX_JOIN_TOKEN_USES}` },
      ]);
    if (input.clusterId) await this.deps.repos.clusters.get(input.clusterId);
    const secret = newRefreshSecret();
    const { principal } = ctx;
    const joinToken = await this.deps.repos.nodeJoinTokens.create({
      id: this.deps.ids.next(),
      name: input.name,
      labels: input.labels ?? {},
      description: input.description ?? "",
      secretHash: secret.hash,
      expiresAt: new Date(expiresAt).toISOString(),
      maxUses,
      uses: 0,
      ...(input.clusterId ? { clusterId: input.clusterId } : {}),
      createdBy: `${principal.kind}:${principal.name}`.slice(0, 128),
    });
    return { joinToken, token: formatJoinToken(joinToken.id, secret.secret) };
  }

  /** get returns a join token, or NotFound. */
  get(_ctx: CallContext, id: string): Promise<NodeJoinToken> {
    return this.deps.repos.nodeJoinTokens.get(id);
  }

  /** list returns one page of join tokens that match the filter (labels). */
  list(_ctx: CallContext, filter: ListFilter = {}, page?: PageRequest): Promise<Page<NodeJoinToken>> {
    return this.deps.repos.nodeJoinTokens.list(filter, page);
  }

  /** revoke deletes a join token (checking expectedVersion when given): it admits no more nodes. */
  async revoke(_ctx: CallContext, id: string, expectedVersion?: number): Promise<void> {
    await this.deps.repos.nodeJoinTokens.delete(id, expectedVersion);
  }

  /**
   * purgeEnded deletes the join tokens that ended (expired or used up) more than a day before
   * `now`, and says how many it deleted. Replicas may purge at once: a token another one deleted
   * or changed meanwhile is skipped.
   */
  async purgeEnded(now: Date = this.deps.clock.now()): Promise<number> {
    const repo = this.deps.repos.nodeJoinTokens;
    const cutoff = now.getTime() - ENDED_JOIN_TOKEN_KEEP_MS;
    let removed = 0;
    let cursor: string | undefined;
    do {
      const page = await repo.list({}, { limit: 500, ...(cursor ? { cursor } : {}) });
      for (const token of page.items) {
        const ended = endedAt(token);
        if (ended === undefined || ended > cutoff) continue;
        try {
          await repo.delete(token.id, token.resourceVersion);
          removed++;
        } catch (e) {
          if (!hasErrorCode(e, ErrorCode.NotFound) && !hasErrorCode(e, ErrorCode.Conflict)) throw e;
        }
      }
      cursor = page.nextCursor;
    } while (cursor);
    return removed;
  }

  /**
   * spend checks a presented token string and spends one use of its token: an unknown, wrong,
   * revoked or used-up token is Unauthenticated (one message for all), an expired one
   * Unauthenticated saying so; a token bound to a cluster refuses a request for another one. A
   * token that fails any check is left as it was.
   */
  async spend(presented: string, requestedClusterId?: string): Promise<SpentJoinToken> {
    const { id, secret } = parseJoinToken(presented);
    const repo = this.deps.repos.nodeJoinTokens;
    for (let attempt = 1; ; attempt++) {
      const token = await repo.find(id);
      if (!secretMatches(secret, token?.secretHash ?? DECOY_HASH) || !token) throw invalidJoinToken();
      const state = joinTokenState(token, this.deps.clock.now());
      if (state === "expired") throw expiredJoinToken();
      if (state === "used-up") throw invalidJoinToken();
      if (token.clusterId && requestedClusterId && requestedClusterId !== token.clusterId)
        throw permissionDenied(`this join token admits nodes into cluster "${token.clusterId}" only`, {
          reason: "join-token-cluster",
        });
      try {
        const spent = await repo.update({ ...token, uses: token.uses + 1 });
        const clusterId = token.clusterId ?? requestedClusterId;
        return { joinToken: spent, ...(clusterId ? { clusterId } : {}) };
      } catch (e) {
        // Revoked in the meantime.
        if (hasErrorCode(e, ErrorCode.NotFound)) throw invalidJoinToken();
        if (!hasErrorCode(e, ErrorCode.Conflict)) throw e;
        if (attempt >= MAX_SPEND_ATTEMPTS)
          throw unavailable("too many nodes are joining with this token at once: try again", {
            retryAfterMs: 1000,
          });
        await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
      }
    }
  }

  /** giveBack returns a use a failed join spent; a token revoked in the meantime stays revoked. */
  async giveBack(id: string): Promise<void> {
    try {
      await readModifyWrite(this.deps.repos.nodeJoinTokens, id, (t) => ({
        ...t,
        uses: Math.max(0, t.uses - 1),
      }));
    } catch (e) {
      if (hasErrorCode(e, ErrorCode.NotFound)) return;
      this.deps.logger.error({ err: e, joinTokenId: id }, "a failed join could not give its use back");
    }
  }
}
