import { create } from "@bufbuild/protobuf";
import { audit, iam, network } from "@limiquantix/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AccessHarness, codeOf, PASSWORD, startAccessHarness } from "./access-support";

const overlay = (cidr: string) =>
  create(network.VirtualNetworkSpecSchema, { type: network.NetworkType.OVERLAY, cidr });

describe("identity and access through the server", () => {
  let h: AccessHarness;
  let p = "";
  let q = "";
  let netQ = "";
  beforeAll(async () => {
    h = await startAccessHarness({ auth: { loginRateLimit: { perUser: 4, windowSec: 60 } } });
    const projects = h.client(iam.ProjectService, h.admin);
    p = (await projects.createProject({ name: "team-p" })).project!.id;
    q = (await projects.createProject({ name: "team-q" })).project!.id;
    const nets = h.client(network.VirtualNetworkService, h.admin);
    await nets.createVirtualNetwork({ name: "p-lan", projectId: p, spec: overlay("10.1.0.0/24") });
    netQ = (await nets.createVirtualNetwork({ name: "q-lan", projectId: q, spec: overlay("10.2.0.0/24") }))
      .virtualNetwork!.id;
  }, 60_000);
  afterAll(() => h?.close());

  it("refuses a call without credentials or with a garbage token, over Connect and gRPC", async () => {
    for (const protocol of ["connect", "grpc"] as const) {
      expect(
        await codeOf(() =>
          h.client(network.VirtualNetworkService, undefined, protocol).listVirtualNetworks({}),
        ),
      ).toBe("Unauthenticated");
      expect(
        await codeOf(() =>
          h.client(network.VirtualNetworkService, "not.a.token", protocol).listVirtualNetworks({}),
        ),
      ).toBe("Unauthenticated");
    }
  });

  it("refuses an unsigned token, a tampered one and one from keys the server does not hold", async () => {
    const [head, body, sig] = h.admin.split(".") as [string, string, string];
    const none = `${Buffer.from(JSON.stringify({ alg: "none", typ: "at+jwt" })).toString("base64url")}.${body}.`;
    const claims = JSON.parse(Buffer.from(body, "base64url").toString()) as Record<string, unknown>;
    const tampered = `${head}.${Buffer.from(JSON.stringify({ ...claims, rol: "admin", sub: "someone" })).toString("base64url")}.${sig}`;
    const { KeyRing, TokenIssuer } = await import("../tokens");
    const stranger = new TokenIssuer({
      keys: await KeyRing.load(),
      issuer: "limiquantix",
      audience: "limiquantix-api",
      clockSkewSec: 0,
    });
    const foreign = (
      await stranger.sign({ subject: "x", kind: "user", name: "x", role: "admin", projects: [] }, 600)
    ).token;
    for (const token of [none, tampered, foreign])
      expect(await codeOf(() => h.client(iam.UserService, token).listUsers({}))).toBe("Unauthenticated");
  });

  it("ranks roles: a viewer reads and cannot change, an operator changes, only an admin manages users", async () => {
    const viewer = await h.user("vera", { role: iam.Role.VIEWER });
    const operator = await h.user("olga", { role: iam.Role.OPERATOR });
    const nets = (t: string) => h.client(network.VirtualNetworkService, t);
    expect((await nets(viewer.token).listVirtualNetworks({})).virtualNetworks.length).toBe(2);
    expect(
      await codeOf(() =>
        nets(viewer.token).createVirtualNetwork({ name: "v", projectId: p, spec: overlay("10.3.0.0/24") }),
      ),
    ).toBe("PermissionDenied");
    expect(
      await codeOf(() =>
        nets(operator.token).createVirtualNetwork({ name: "o", projectId: p, spec: overlay("10.4.0.0/24") }),
      ),
    ).toBe("ok");
    expect(await codeOf(() => h.client(iam.UserService, operator.token).listUsers({}))).toBe(
      "PermissionDenied",
    );
    const me = await h.client(iam.AuthService, operator.token).whoAmI({});
    expect(me.user?.username).toBe("olga");
    expect(me.permissions).toEqual(["role:operator"]);
  });

  it("shows a project member only its project: lists narrowed, other projects' resources NotFound", async () => {
    const member = await h.user("pia", { projects: [{ projectId: p, role: iam.Role.OPERATOR }] });
    const nets = h.client(network.VirtualNetworkService, member.token);
    const listed = await nets.listVirtualNetworks({});
    expect(listed.virtualNetworks.map((n) => n.projectId).every((id) => id === p)).toBe(true);
    expect(listed.virtualNetworks.length).toBeGreaterThan(0);
    expect(await codeOf(() => nets.getVirtualNetwork({ id: netQ }))).toBe("NotFound");
    expect(await codeOf(() => nets.getVirtualNetwork({ id: "no-such-network" }))).toBe("NotFound");
    expect(await codeOf(() => nets.deleteVirtualNetwork({ id: netQ }))).toBe("NotFound");
    expect(await codeOf(() => nets.listVirtualNetworks({ projectId: q }))).toBe("NotFound");
    expect(await codeOf(() => nets.createVirtualNetwork({ name: "m", spec: overlay("10.5.0.0/24") }))).toBe(
      "ok",
    );
  });

  it("rotates refresh tokens, and a refresh token used twice ends the session and its access tokens", async () => {
    const u = await h.user("rita", { role: iam.Role.VIEWER });
    const auth = h.client(iam.AuthService);
    const first = await auth.refresh({ refreshToken: u.refreshToken });
    expect(first.refreshToken).not.toBe(u.refreshToken);
    expect(await codeOf(() => h.client(iam.AuthService, first.accessToken).whoAmI({}))).toBe("ok");
    expect(await codeOf(() => auth.refresh({ refreshToken: u.refreshToken }))).toBe("Unauthenticated");
    expect(await codeOf(() => auth.refresh({ refreshToken: first.refreshToken }))).toBe("Unauthenticated");
    expect(await codeOf(() => h.client(iam.AuthService, first.accessToken).whoAmI({}))).toBe(
      "Unauthenticated",
    );
  });

  it("ends a session at logout, and every session of a user whose password changes", async () => {
    const u = await h.user("lena", { role: iam.Role.VIEWER });
    await h.client(iam.AuthService).logout({ refreshToken: u.refreshToken });
    expect(await codeOf(() => h.client(iam.AuthService, u.token).whoAmI({}))).toBe("Unauthenticated");
    const again = await h.client(iam.AuthService).login({ username: "lena", password: PASSWORD });
    const users = h.client(iam.UserService, again.accessToken);
    expect(
      await codeOf(() =>
        users.setPassword({ id: u.id, currentPassword: "wrong-password-x", newPassword: "x".repeat(20) }),
      ),
    ).toBe("Unauthenticated");
    expect(
      await codeOf(() =>
        users.setPassword({ id: u.id, currentPassword: PASSWORD, newPassword: "lena-is-short" }),
      ),
    ).toBe("InvalidArgument");
    await users.setPassword({ id: u.id, currentPassword: PASSWORD, newPassword: "another-long-password" });
    expect(await codeOf(() => h.client(iam.AuthService, again.accessToken).whoAmI({}))).toBe(
      "Unauthenticated",
    );
    expect(
      await codeOf(() =>
        h.client(iam.AuthService).login({ username: "lena", password: "another-long-password" }),
      ),
    ).toBe("ok");
  });

  it("limits login attempts per username, answering ResourceExhausted", async () => {
    await h.user("gina", { role: iam.Role.VIEWER });
    const auth = h.client(iam.AuthService);
    const codes: string[] = [];
    for (let i = 0; i < 5; i++)
      codes.push(await codeOf(() => auth.login({ username: "gina", password: "wrong-password" })));
    expect(codes).toEqual([
      "Unauthenticated",
      "Unauthenticated",
      "Unauthenticated",
      "Unauthenticated",
      "ResourceExhausted",
    ]);
    expect(await codeOf(() => auth.login({ username: "gina", password: PASSWORD }))).toBe(
      "ResourceExhausted",
    );
  });

  it("writes an audit entry for each change and each denied call, and none of success for a refused write", async () => {
    const u = await h.user("audra", { role: iam.Role.OPERATOR });
    const nets = h.client(network.VirtualNetworkService, u.token);
    const { virtualNetwork } = await nets.createVirtualNetwork({
      name: "audited",
      projectId: p,
      spec: overlay("10.6.0.0/24"),
    });
    expect(
      await codeOf(() =>
        nets.createVirtualNetwork({ name: "audited", projectId: p, spec: overlay("10.7.0.0/24") }),
      ),
    ).toBe("AlreadyExists");
    expect(await codeOf(() => h.client(iam.UserService, u.token).deleteUser({ id: u.id }))).toBe(
      "PermissionDenied",
    );
    const log = h.client(audit.AuditService, h.admin);
    const { entries } = await log.listAuditEntries({ actor: "user:audra", pageSize: 50 });
    const creates = entries.filter((e) => e.action.endsWith("/CreateVirtualNetwork"));
    expect(creates.map((e) => e.outcome)).toEqual([audit.Outcome.FAILURE, audit.Outcome.SUCCESS]);
    expect(creates[0]?.code).toBe("AlreadyExists");
    expect(creates[1]?.projectId).toBe(p);
    expect(creates[1]?.actor?.userId).toBe(u.id);
    const denied = entries.find((e) => e.action.endsWith("/DeleteUser"));
    expect(denied?.outcome).toBe(audit.Outcome.FAILURE);
    expect(denied?.code).toBe("PermissionDenied");
    expect(virtualNetwork?.id).toBeTruthy();
    expect(await codeOf(() => h.client(audit.AuditService, u.token).listAuditEntries({}))).toBe(
      "PermissionDenied",
    );
  });

  it("gives automation service accounts with an API token shown once, scoped, revocable and replaceable", async () => {
    const accounts = h.client(iam.ServiceAccountService, h.admin);
    const created = await accounts.createServiceAccount({
      name: "ci-deployer",
      description: "deploys from CI",
      projectMemberships: [{ projectId: p, role: iam.Role.OPERATOR }],
    });
    const sa = created.serviceAccount!;
    expect(created.token).toBeTruthy();
    expect((await accounts.getServiceAccount({ id: sa.id })).serviceAccount?.name).toBe("ci-deployer");
    const nets = (t: string) => h.client(network.VirtualNetworkService, t);
    expect(
      await codeOf(() =>
        nets(created.token).createVirtualNetwork({ name: "ci", spec: overlay("10.8.0.0/24") }),
      ),
    ).toBe("ok");
    expect(await codeOf(() => nets(created.token).getVirtualNetwork({ id: netQ }))).toBe("NotFound");
    expect(await codeOf(() => h.client(iam.UserService, created.token).listUsers({}))).toBe(
      "PermissionDenied",
    );
    const users = await h.client(iam.UserService, h.admin).listUsers({ pageSize: 1000 });
    expect(users.users.map((u) => u.username)).not.toContain("ci-deployer");
    expect((await accounts.listServiceAccounts({})).serviceAccounts.map((a) => a.name)).toEqual([
      "ci-deployer",
    ]);
    expect(
      await codeOf(() => h.client(iam.AuthService).login({ username: "ci-deployer", password: PASSWORD })),
    ).toBe("Unauthenticated");
    const past = { seconds: BigInt(Math.floor(Date.now() / 1000) - 10), nanos: 0 };
    expect(await codeOf(() => accounts.issueServiceAccountToken({ id: sa.id, tokenExpireTime: past }))).toBe(
      "InvalidArgument",
    );
    const next = await accounts.issueServiceAccountToken({ id: sa.id });
    expect(await codeOf(() => nets(created.token).listVirtualNetworks({}))).toBe("Unauthenticated");
    expect(await codeOf(() => nets(next.token).listVirtualNetworks({}))).toBe("ok");
    expect((await accounts.revokeServiceAccountTokens({ id: sa.id })).revoked).toBe(1);
    expect(await codeOf(() => nets(next.token).listVirtualNetworks({}))).toBe("Unauthenticated");
    await accounts.deleteServiceAccount({ id: sa.id });
    expect(await codeOf(() => accounts.getServiceAccount({ id: sa.id }))).toBe("NotFound");
  });

  it("never leaves the installation without an enabled admin", async () => {
    const users = h.client(iam.UserService, h.admin);
    const admin = (await users.listUsers({ pageSize: 1000 })).users.find((u) => u.username === "admin")!;
    expect(await codeOf(() => users.deleteUser({ id: admin.id }))).toBe("FailedPrecondition");
    expect(
      await codeOf(() =>
        users.updateUser({ id: admin.id, role: iam.Role.VIEWER, updateMask: { paths: ["role"] } }),
      ),
    ).toBe("FailedPrecondition");
    expect(
      await codeOf(() =>
        users.updateUser({ id: admin.id, disabled: true, updateMask: { paths: ["disabled"] } }),
      ),
    ).toBe("FailedPrecondition");
    const second = await h.user("ada-two", { role: iam.Role.ADMIN });
    expect(
      await codeOf(() =>
        users.updateUser({ id: admin.id, disabled: true, updateMask: { paths: ["disabled"] } }),
      ),
    ).toBe("ok");
    expect(await codeOf(() => h.client(iam.UserService, second.token).deleteUser({ id: second.id }))).toBe(
      "FailedPrecondition",
    );
    await users.updateUser({ id: admin.id, disabled: false, updateMask: { paths: ["disabled"] } });
  });

  it("keeps health and the key set open", async () => {
    const jwks = (await (await fetch(`${h.server.url}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    expect(jwks.keys.length).toBe(1);
    expect((await fetch(`${h.server.url}/ready`)).status).toBe(200);
  });
});
