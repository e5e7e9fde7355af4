import {
  failedPrecondition,
  type FieldViolation,
  invalidArgument,
  type Role,
  type SessionStore,
  unauthenticated,
  type User,
  type UserInput,
} from "@limiquantix/domain";
import type { CallContext } from "../../context/call-context";
import { CrudService } from "../../shared/crud-service";
import type { ServiceDeps } from "../../shared/service-deps";
import { checkPassword, hashPassword, type PasswordPolicy, verifyPassword } from "./passwords";
import type { SessionLiveness } from "./session-liveness";

/** SERVICE_ACCOUNT_LABEL marks the users that are service accounts. */
export const SERVICE_ACCOUNT_LABEL = "limiquantix.io/service-account";

/** NewUser is what creating a user takes: the user's fields and the password (hashed before it is stored). */
export type NewUser = Omit<UserInput, "passwordHash" | "id"> & { readonly password: string };

/** Membership is a role in one project. */
export interface Membership {
  readonly projectId: string;
  readonly role: Role;
}

/**
 * UserService manages users: passwords are checked against the policy and stored as argon2id
 * hashes, project memberships must name existing projects, and a change of role, memberships or
 * the disabled flag, a new password, or a deletion ends the user's sessions so that access
 * already handed out follows the change.
 */
export class UserService extends CrudService<User, UserInput> {
  constructor(
    deps: ServiceDeps,
    private readonly sessions: SessionStore,
    private readonly liveness: SessionLiveness,
    private readonly policy: PasswordPolicy,
  ) {
    super(deps, "User", deps.repos.users);
  }

  /** createUser stores a new user with a hashed password. */
  async createUser(ctx: CallContext, input: NewUser, passwordField = "password"): Promise<User> {
    const { password, ...fields } = input;
    checkPassword(this.policy, input.username, password, passwordField);
    await this.checkMemberships(input.projectMemberships ?? [], "project_memberships");
    return this.create(ctx, { ...fields, passwordHash: await hashPassword(password) });
  }

  /** createAccount stores a user without a password (a service account), checking its memberships. */
  async createAccount(ctx: CallContext, input: Omit<UserInput, "passwordHash" | "id">): Promise<User> {
    await this.checkMemberships(input.projectMemberships ?? [], "project_memberships");
    return this.create(ctx, input);
  }

  /** updateUser applies change and ends the user's sessions when what they grant changed. */
  async updateUser(
    ctx: CallContext,
    id: string,
    change: (current: User) => User,
    expectedVersion?: number,
  ): Promise<User> {
    let before: User | undefined;
    const updated = await this.update(
      ctx,
      id,
      async (current) => {
        before = current;
        const next = change(current);
        await this.checkMemberships(next.projectMemberships, "project_memberships");
        if (isActiveAdmin(current) && !isActiveAdmin(next))
          await this.keepAnAdmin(current, "take the admin role from");
        return next;
      },
      expectedVersion,
    );
    if (before && grantsChanged(before, updated)) await this.endSessions(id);
    return updated;
  }

  /** deleteUser removes a user and ends its sessions. */
  async deleteUser(ctx: CallContext, id: string, expectedVersion?: number): Promise<void> {
    const current = await this.deps.repos.users.get(id);
    if (isActiveAdmin(current)) await this.keepAnAdmin(current, "delete");
    await this.delete(ctx, id, expectedVersion);
    await this.endSessions(id);
  }

  /**
   * setPassword changes a password. Users changing their own give the current one; an admin
   * resetting another user's does not. Every session of the user ends.
   */
  async setPassword(ctx: CallContext, id: string, current: string, next: string): Promise<void> {
    const own = ctx.principal.kind === "user" && ctx.principal.id === id;
    await this.update(ctx, id, async (user) => {
      if (user.labels[SERVICE_ACCOUNT_LABEL] === "true")
        throw failedPrecondition("a service account has no password: issue it a new token instead", {
          reason: "service-account",
        });
      if (own && !(user.passwordHash && (await verifyPassword(user.passwordHash, current))))
        throw unauthenticated("current_password is wrong", { reason: "bad-credentials" });
      checkPassword(this.policy, user.username, next, "new_password");
      return { ...user, passwordHash: await hashPassword(next) };
    });
    await this.endSessions(id);
  }

  /**
   * keepAnAdmin refuses to leave the installation without an enabled, password-holding admin
   * (nobody could manage users again). Two admins demoting each other at the same instant could
   * both pass; the check is there to stop the ordinary mistake.
   */
  private async keepAnAdmin(user: User, what: string): Promise<void> {
    let others = 0;
    let cursor: string | undefined;
    do {
      const page = await this.deps.repos.users.list({}, { limit: 1000, ...(cursor ? { cursor } : {}) });
      others += page.items.filter((u) => u.id !== user.id && isActiveAdmin(u) && u.passwordHash).length;
      cursor = page.nextCursor;
    } while (cursor && others === 0);
    if (others === 0)
      throw failedPrecondition(`cannot ${what} "${user.username}": it is the last enabled admin`, {
        reason: "last-admin",
      });
  }

  private async endSessions(userId: string): Promise<void> {
    await this.sessions.revokeAllForUser(userId);
    this.liveness.revokedUser(userId);
  }

  private async checkMemberships(memberships: readonly Membership[], field: string): Promise<void> {
    const violations: FieldViolation[] = [];
    const seen = new Set<string>();
    for (const [i, m] of memberships.entries()) {
      if (seen.has(m.projectId))
        violations.push({ field: `${field}[${i}].project_id`, description: "names a project twice" });
      seen.add(m.projectId);
      if (!(await this.deps.repos.projects.find(m.projectId)))
        violations.push({
          field: `${field}[${i}].project_id`,
          description: `project "${m.projectId}" does not exist`,
        });
    }
    if (violations.length > 0) throw invalidArgument(violations);
  }
}

function isActiveAdmin(u: User): boolean {
  return u.role === "admin" && !u.disabled;
}

function grantsChanged(a: User, b: User): boolean {
  return (
    a.role !== b.role ||
    a.disabled !== b.disabled ||
    a.passwordHash !== b.passwordHash ||
    JSON.stringify(a.projectMemberships) !== JSON.stringify(b.projectMemberships)
  );
}
