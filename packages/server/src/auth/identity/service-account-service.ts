import { randomBytes } from "node:crypto";
import {
  invalidArgument,
  notFound,
  type Page,
  type PageRequest,
  type SessionStore,
  type User,
  type UserRole,
} from "@limiquantix/domain";
import type { CallContext } from "../../context/call-context";
import type { ServiceDeps } from "../../shared/service-deps";
import type { TokenIssuer } from "../tokens";
import { hashSecret } from "./refresh-token";
import type { SessionLiveness } from "./session-liveness";
import { type Membership, SERVICE_ACCOUNT_LABEL, type UserService } from "./user-service";

export { SERVICE_ACCOUNT_LABEL };

/** MAX_TOKEN_LIFETIME_MS is the longest an API token lives: ten years, also the lifetime of one without an expiry. */
export const MAX_TOKEN_LIFETIME_MS = 10 * 365 * 86_400_000;

/** NewServiceAccount is what creating a service account takes. */
export interface NewServiceAccount {
  readonly name: string;
  readonly description: string;
  readonly role: UserRole;
  readonly projectMemberships: readonly Membership[];
  readonly labels: Record<string, string>;
  readonly tokenExpiresAt?: Date;
}

/** IssuedToken is an API token as handed out, once. */
export interface IssuedToken {
  readonly token: string;
  readonly expiresAt: Date;
}

/** isServiceAccount says whether a user record is a service account. */
export function isServiceAccount(u: User): boolean {
  return u.labels[SERVICE_ACCOUNT_LABEL] === "true";
}

/**
 * ServiceAccountService manages identities for automation. A service account is stored as a
 * user marked with SERVICE_ACCOUNT_LABEL, without a password (it cannot log in); its API token
 * is an access token tied to a session of its own, so it is shown once, only its session is
 * kept, and revoking the session stops it on every replica within the session-check interval.
 */
export class ServiceAccountService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly users: UserService,
    private readonly sessions: SessionStore,
    private readonly liveness: SessionLiveness,
    private readonly tokens: TokenIssuer,
  ) {}

  /** create stores the account and issues its first token. */
  async create(ctx: CallContext, input: NewServiceAccount): Promise<{ account: User } & IssuedToken> {
    const expiresAt = this.expiryOf(input.tokenExpiresAt);
    const account = await this.users.createAccount(ctx, {
      username: input.name,
      email: `${input.name}@service-accounts.invalid`,
      displayName: input.description,
      role: input.role,
      projectMemberships: [...input.projectMemberships],
      labels: { ...input.labels, [SERVICE_ACCOUNT_LABEL]: "true" },
    });
    return { account, ...(await this.issueFor(account, expiresAt)) };
  }

  /** get returns a service account, or NotFound. */
  async get(_ctx: CallContext, id: string): Promise<User> {
    const u = await this.deps.repos.users.find(id);
    if (!u || !isServiceAccount(u)) throw notFound("ServiceAccount", id);
    return u;
  }

  /** list returns one page of service accounts, narrowed by a label selector when given. */
  list(_ctx: CallContext, selector: string, page?: PageRequest): Promise<Page<User>> {
    const only = `${SERVICE_ACCOUNT_LABEL}=true`;
    return this.deps.repos.users.list({ labelSelector: selector ? `${selector},${only}` : only }, page);
  }

  /** delete removes the account and revokes its tokens. */
  async delete(ctx: CallContext, id: string): Promise<void> {
    await this.get(ctx, id);
    await this.users.deleteUser(ctx, id);
  }

  /** issue revokes the account's tokens and hands out a new one. */
  async issue(ctx: CallContext, id: string, tokenExpiresAt?: Date): Promise<IssuedToken> {
    const account = await this.get(ctx, id);
    const expiresAt = this.expiryOf(tokenExpiresAt);
    await this.revoke(ctx, id);
    return this.issueFor(account, expiresAt);
  }

  /** revoke stops every token of the account and says how many there were. */
  async revoke(ctx: CallContext, id: string): Promise<number> {
    await this.get(ctx, id);
    const n = await this.sessions.revokeAllForUser(id);
    this.liveness.revokedUser(id);
    return n;
  }

  private expiryOf(asked: Date | undefined): Date {
    const now = this.deps.clock.now().getTime();
    if (!asked) return new Date(now + MAX_TOKEN_LIFETIME_MS);
    const t = asked.getTime();
    if (!(t > now + 60_000) || t > now + MAX_TOKEN_LIFETIME_MS)
      throw invalidArgument([
        {
          field: "token_expire_time",
          description: "must be at least a minute and at most ten years from now",
        },
      ]);
    return asked;
  }

  private async issueFor(account: User, expiresAt: Date): Promise<IssuedToken> {
    const ttlMs = expiresAt.getTime() - this.deps.clock.now().getTime();
    const session = await this.sessions.create({
      userId: account.id,
      secretHash: hashSecret(randomBytes(32).toString("base64url")),
      ttlMs,
      data: { kind: "api-token" },
    });
    const signed = await this.tokens.sign(
      {
        subject: account.id,
        kind: "service-account",
        name: account.username,
        ...(account.role === "none" ? {} : { role: account.role }),
        projects: account.projectMemberships.map((m) => ({ projectId: m.projectId, role: m.role })),
        sessionId: session.id,
      },
      Math.floor(ttlMs / 1000),
    );
    return { token: signed.token, expiresAt: signed.expiresAt };
  }
}
