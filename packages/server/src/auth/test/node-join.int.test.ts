import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { audit, compute, iam } from "@limiquantix/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMPUTE } from "../../compute/compute-ids";
import type { NodeService } from "../../compute/node-service";
import { systemContext } from "../../context/call-context";
import type { JoinTokenService } from "../nodes/join-token-service";
import { NODE_JOIN } from "../nodes/node-join-ids";
import { type AccessHarness, codeOf, startAccessHarness } from "./access-support";

const spec = (hostname: string) =>
  create(compute.NodeSpecSchema, {
    hostname,
    managementIp: "10.0.0.9",
    agentAddress: "127.0.0.1:1",
    cpu: { sockets: 1, coresPerSocket: 4, threadsPerCore: 1 },
    memoryMib: 8192n,
  });

/** failure runs a call that must fail and returns its Connect code and message. */
async function failure(call: () => Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await call();
  } catch (e) {
    const err = ConnectError.from(e);
    return { code: Code[err.code] as string, message: err.rawMessage };
  }
  throw new Error("the call succeeded");
}

describe("nodes joining with join tokens", () => {
  let h: AccessHarness;
  const joinService = (token?: string) => h.client(compute.NodeJoinService, token);
  const nodesAs = (token: string) => h.client(compute.NodeService, token);
  const tokenOf = async (init: MessageInitShape<typeof compute.CreateJoinTokenRequestSchema>) =>
    joinService(h.admin).createJoinToken(init);
  const join = (
    joinToken: string,
    name: string,
    extra: MessageInitShape<typeof compute.JoinNodeRequestSchema> = {},
  ) => joinService().joinNode({ joinToken, name, spec: spec(`${name}.lab`), ...extra });
  const hostTaken = async (hostname: string) =>
    (await h.server.services.deps.repos.nodes.findByHostname(hostname)) !== undefined;

  beforeAll(async () => {
    // HA off: it would rightly start fencing the node this file sets NOT_READY by hand before its
    // next heartbeat arrives, and a FENCING node does not come back with a heartbeat.
    h = await startAccessHarness({ ha: { enabled: false } });
  }, 60_000);
  afterAll(() => h?.close());

  it("admits a node with a valid token: the node is READY and beats with its own credentials", async () => {
    const created = await tokenOf({ name: "rack-1", description: "rack one", maxUses: 2 });
    expect(created.token.startsWith(`${created.joinToken?.id}.`)).toBe(true);
    expect(created.joinToken).toMatchObject({ maxUses: 2, uses: 0, createdBy: "user:admin" });
    const joined = await join(created.token, "hv-1", { labels: { rack: "1" } });
    expect(joined.node).toMatchObject({ name: "hv-1", labels: { rack: "1" } });
    expect(joined.node?.status?.phase).toBe(compute.NodePhase.READY);
    expect(joined.accessToken).toBeTruthy();
    expect(joined.refreshToken).toBeTruthy();
    const nodeId = joined.node!.id;
    // A node that went quiet comes back with its next heartbeat.
    await h.server.container
      .get<NodeService>(COMPUTE.nodes)
      .setPhase(systemContext("test"), nodeId, "NOT_READY", "missed heartbeats");
    for (let i = 0; i < 2; i++) {
      const beat = await nodesAs(joined.accessToken).heartbeat({
        nodeId,
        agentVersion: "test-agent",
        usage: { cpuPercent: 12, memoryUsedMib: 1024n },
      });
      expect(beat.phase).toBe(compute.NodePhase.READY);
    }
    const { node } = await h.client(compute.NodeService, h.admin).getNode({ id: nodeId });
    expect(node?.status?.phase).toBe(compute.NodePhase.READY);
    expect(node?.status?.agentVersion).toBe("test-agent");
    const read = await joinService(h.admin).getJoinToken({ id: created.joinToken!.id });
    expect(read.joinToken?.uses).toBe(1);
    const me = await h.client(iam.AuthService, joined.accessToken).whoAmI({});
    expect(me.permissions).toEqual([]);
  });

  it("refuses a token once its uses are spent, and creates no node for the refused join", async () => {
    const { token, joinToken } = await tokenOf({ name: "two-uses", maxUses: 2 });
    await join(token, "spent-1");
    await join(token, "spent-2");
    const refused = await failure(() => join(token, "spent-3"));
    expect(refused.code).toBe("Unauthenticated");
    expect(refused.message).toMatch(/join token is invalid/);
    expect(await hostTaken("spent-3.lab")).toBe(false);
    expect((await joinService(h.admin).getJoinToken({ id: joinToken!.id })).joinToken?.uses).toBe(2);
  });

  it("refuses an expired token, saying it expired, and a wrong secret without saying more", async () => {
    const { token, joinToken } = await tokenOf({ name: "short-lived" });
    const repo = h.server.services.deps.repos.nodeJoinTokens;
    const stored = await repo.get(joinToken!.id);
    await repo.update({ ...stored, expiresAt: new Date(Date.now() - 1000).toISOString() });
    const expired = await failure(() => join(token, "late-1"));
    expect(expired).toMatchObject({ code: "Unauthenticated" });
    expect(expired.message).toMatch(/join token has expired/);
    // The secret decides first: with a wrong one, an expired token is merely invalid.
    const wrong = await failure(() => join(`${joinToken!.id}.${"A".repeat(43)}`, "late-2"));
    expect(wrong.code).toBe("Unauthenticated");
    expect(wrong.message).toMatch(/join token is invalid/);
    for (const garbage of ["not-a-token", `${joinToken!.id}.short`, `no-such-token.${"A".repeat(43)}`])
      expect((await failure(() => join(garbage, "late-3"))).message).toMatch(/join token is invalid/);
    expect(await hostTaken("late-1.lab")).toBe(false);
    expect((await repo.get(joinToken!.id)).uses).toBe(0);
  });

  it("refuses a revoked token as invalid", async () => {
    const { token, joinToken } = await tokenOf({ name: "revoked", maxUses: 5 });
    await joinService(h.admin).deleteJoinToken({ id: joinToken!.id });
    expect(await codeOf(() => joinService(h.admin).getJoinToken({ id: joinToken!.id }))).toBe("NotFound");
    const refused = await failure(() => join(token, "revoked-1"));
    expect(refused.code).toBe("Unauthenticated");
    expect(refused.message).toMatch(/join token is invalid/);
    expect(await hostTaken("revoked-1.lab")).toBe(false);
  });

  it("gives the use back when registering fails, and registers nothing", async () => {
    const { token, joinToken } = await tokenOf({ name: "failing", maxUses: 1 });
    await join((await tokenOf({ name: "first-of-name" })).token, "taken-name");
    // The node name is taken by another host: the registration fails after the use was spent.
    expect(
      await codeOf(() =>
        joinService().joinNode({ joinToken: token, name: "taken-name", spec: spec("other.lab") }),
      ),
    ).toBe("AlreadyExists");
    expect(await hostTaken("other.lab")).toBe(false);
    expect((await joinService(h.admin).getJoinToken({ id: joinToken!.id })).joinToken?.uses).toBe(0);
    expect(await codeOf(() => join(token, "after-failure"))).toBe("ok");
  });

  it("puts the nodes of a token bound to a cluster into it, and refuses another cluster", async () => {
    const clusters = h.client(compute.ClusterService, h.admin);
    const { cluster } = await clusters.createCluster({ name: "edge" });
    const { token, joinToken } = await tokenOf({ name: "edge-nodes", maxUses: 3, clusterId: cluster!.id });
    expect(joinToken?.clusterId).toBe(cluster!.id);
    const joined = await join(token, "edge-1");
    expect(joined.node?.clusterId).toBe(cluster!.id);
    const other = h.server.defaults.clusterId;
    expect(await codeOf(() => join(token, "edge-2", { clusterId: other }))).toBe("PermissionDenied");
    expect((await joinService(h.admin).getJoinToken({ id: joinToken!.id })).joinToken?.uses).toBe(1);
  });

  it("lets a node token beat only for its own node and call nothing an admin may", async () => {
    const { token } = await tokenOf({ name: "limits", maxUses: 2 });
    const a = await join(token, "own-a");
    const b = await join(token, "own-b");
    const nodes = nodesAs(a.accessToken);
    expect(await codeOf(() => nodes.heartbeat({ nodeId: a.node!.id }))).toBe("ok");
    expect(await codeOf(() => nodes.heartbeat({ nodeId: b.node!.id }))).toBe("PermissionDenied");
    expect(await codeOf(() => nodes.registerNode({ name: "sneaky", spec: spec("sneaky.lab") }))).toBe(
      "PermissionDenied",
    );
    expect(await codeOf(() => nodes.deleteNode({ id: b.node!.id }))).toBe("PermissionDenied");
    expect(await codeOf(() => nodes.cordonNode({ id: b.node!.id }))).toBe("PermissionDenied");
    expect(await codeOf(() => joinService(a.accessToken).createJoinToken({ name: "more" }))).toBe(
      "PermissionDenied",
    );
    expect(await codeOf(() => joinService(a.accessToken).listJoinTokens({}))).toBe("PermissionDenied");
    expect(await codeOf(() => h.client(iam.UserService, a.accessToken).listUsers({}))).toBe(
      "PermissionDenied",
    );
    expect(await codeOf(() => h.client(compute.VMService, a.accessToken).listVMs({}))).toBe(
      "PermissionDenied",
    );
    // Nobody without a token of their own registers a node.
    expect(
      await codeOf(() =>
        h.client(compute.NodeService).registerNode({ name: "anon", spec: spec("anon.lab") }),
      ),
    ).toBe("Unauthenticated");
  });

  it("rotates node credentials, and a refresh token used twice revokes them", async () => {
    const { token } = await tokenOf({ name: "rotation" });
    const joined = await join(token, "rotor");
    const nodeId = joined.node!.id;
    const refreshed = await joinService().refreshNodeCredentials({ refreshToken: joined.refreshToken });
    expect(refreshed.nodeId).toBe(nodeId);
    expect(refreshed.refreshToken).not.toBe(joined.refreshToken);
    expect(await codeOf(() => nodesAs(refreshed.accessToken).heartbeat({ nodeId }))).toBe("ok");
    const again = await joinService().refreshNodeCredentials({ refreshToken: refreshed.refreshToken });
    const reused = await failure(() =>
      joinService().refreshNodeCredentials({ refreshToken: refreshed.refreshToken }),
    );
    expect(reused.code).toBe("Unauthenticated");
    expect(reused.message).toMatch(/already used/);
    expect(
      await codeOf(() => joinService().refreshNodeCredentials({ refreshToken: again.refreshToken })),
    ).toBe("Unauthenticated");
    for (const t of [joined.accessToken, refreshed.accessToken, again.accessToken])
      expect(await codeOf(() => nodesAs(t).heartbeat({ nodeId }))).toBe("Unauthenticated");
  });

  it("keeps node and user refresh tokens apart", async () => {
    const user = await h.user("nora", { role: iam.Role.VIEWER });
    expect(
      await codeOf(() => joinService().refreshNodeCredentials({ refreshToken: user.refreshToken })),
    ).toBe("Unauthenticated");
    // The user's session is untouched by the attempt.
    expect(await codeOf(() => h.client(iam.AuthService).refresh({ refreshToken: user.refreshToken }))).toBe(
      "ok",
    );
  });

  it("writes audit entries for creating a token and for joins, and shows no secret again", async () => {
    const { token, joinToken } = await tokenOf({ name: "audited-token" });
    await join(token, "audited-node");
    await failure(() => join(token, "audited-node-2"));
    const log = h.client(audit.AuditService, h.admin);
    const creates = await log.listAuditEntries({
      action: "limiquantix.compute.v1.NodeJoinService/CreateJoinToken",
      pageSize: 100,
    });
    const byAdmin = creates.entries.filter((e) => e.actor?.username === "user:admin");
    expect(byAdmin.length).toBeGreaterThan(0);
    expect(byAdmin.every((e) => e.outcome === audit.Outcome.SUCCESS)).toBe(true);
    // The node that tried to make a token of its own is on record too.
    const byNode = creates.entries.find((e) => e.actor?.username === "node:own-a");
    expect(byNode).toMatchObject({ outcome: audit.Outcome.FAILURE, code: "PermissionDenied" });
    const joins = await log.listAuditEntries({
      action: "limiquantix.compute.v1.NodeJoinService/JoinNode",
      pageSize: 1000,
    });
    const outcomes = new Set(joins.entries.map((e) => e.outcome));
    expect(outcomes).toEqual(new Set([audit.Outcome.SUCCESS, audit.Outcome.FAILURE]));
    expect(joins.entries.find((e) => e.outcome === audit.Outcome.FAILURE)?.code).toBe("Unauthenticated");
    const mine = joins.entries.filter((e) => e.actor?.username === "node:audited-node");
    expect(mine.map((e) => e.outcome)).toEqual([audit.Outcome.SUCCESS]);
    expect(mine[0]?.actor?.ip).toMatch(/127\.0\.0\.1/);
    const listed = await joinService(h.admin).listJoinTokens({ pageSize: 100 });
    expect(listed.joinTokens.map((t) => t.name)).toContain("audited-token");
    const secret = token.slice(joinToken!.id.length + 1);
    expect(JSON.stringify(listed, (_k, v) => (typeof v === "bigint" ? String(v) : v))).not.toContain(secret);
  });

  it("revokes a node's credentials when it is decommissioned or deleted", async () => {
    const { token } = await tokenOf({ name: "retiring", maxUses: 2 });
    const nodes = h.client(compute.NodeService, h.admin);
    const retired = [await join(token, "retired-1"), await join(token, "retired-2")];
    for (const j of retired)
      expect(await codeOf(() => h.client(iam.AuthService, j.accessToken).whoAmI({}))).toBe("ok");
    await nodes.decommissionNode({ id: retired[0]!.node!.id });
    await nodes.deleteNode({ id: retired[1]!.node!.id });
    for (const j of retired) {
      // WhoAmI needs only a live session: the node's phase or existence does not enter into it.
      expect(await codeOf(() => h.client(iam.AuthService, j.accessToken).whoAmI({}))).toBe("Unauthenticated");
      expect(await codeOf(() => joinService().refreshNodeCredentials({ refreshToken: j.refreshToken }))).toBe(
        "Unauthenticated",
      );
    }
  });

  it("refuses a node's refresh token at AuthService/Refresh, leaving the node's session as it was", async () => {
    const joined = await join((await tokenOf({ name: "not-a-user" })).token, "not-a-user");
    const refused = await failure(() =>
      h.client(iam.AuthService).refresh({ refreshToken: joined.refreshToken }),
    );
    expect(refused).toMatchObject({ code: "Unauthenticated" });
    expect(refused.message).toMatch(/expired or revoked/);
    expect(await codeOf(() => nodesAs(joined.accessToken).heartbeat({ nodeId: joined.node!.id }))).toBe("ok");
    const renewed = await joinService().refreshNodeCredentials({ refreshToken: joined.refreshToken });
    expect(renewed.nodeId).toBe(joined.node!.id);
  });

  it("purges join tokens a day after they expire or are used up, and never one that still admits nodes", async () => {
    const tokens = h.server.container.get<JoinTokenService>(NODE_JOIN.tokens);
    const repo = h.server.services.deps.repos.nodeJoinTokens;
    const usedUp = await tokenOf({ name: "purge-used-up" });
    await join(usedUp.token, "purge-node");
    const setExpiry = async (id: string, hoursAgo: number) => {
      const stored = await repo.get(id);
      await repo.update({ ...stored, expiresAt: new Date(Date.now() - hoursAgo * 3_600_000).toISOString() });
    };
    const longExpired = await tokenOf({ name: "purge-long-expired" });
    await setExpiry(longExpired.joinToken!.id, 48);
    const justExpired = await tokenOf({ name: "purge-just-expired" });
    await setExpiry(justExpired.joinToken!.id, 1);
    const usable = await tokenOf({
      name: "purge-usable",
      maxUses: 2,
      expiry: { case: "ttl", value: { seconds: 3n * 86_400n } },
    });
    const left = async () =>
      (
        await Promise.all(
          [usedUp, longExpired, justExpired, usable].map(async (t) =>
            (await repo.find(t.joinToken!.id)) ? t.joinToken!.name : undefined,
          ),
        )
      ).filter(Boolean);
    expect(await tokens.purgeEnded()).toBeGreaterThanOrEqual(1);
    expect(await left()).toEqual(["purge-used-up", "purge-just-expired", "purge-usable"]);
    await tokens.purgeEnded(new Date(Date.now() + 25 * 3_600_000));
    expect(await left()).toEqual(["purge-usable"]);
  });
});

describe("join attempts from one address", () => {
  let h: AccessHarness;
  beforeAll(async () => {
    h = await startAccessHarness({ auth: { loginRateLimit: { perAddress: 2, windowSec: 60 } } });
  }, 60_000);
  afterAll(() => h?.close());

  it("are limited as sign-ins are, answering ResourceExhausted", async () => {
    const joins = h.client(compute.NodeJoinService);
    const codes: string[] = [];
    for (let i = 0; i < 3; i++)
      codes.push(
        await codeOf(() =>
          joins.joinNode({ joinToken: `guess.${"B".repeat(43)}`, name: `g-${i}`, spec: spec(`g-${i}.lab`) }),
        ),
      );
    expect(codes).toEqual(["Unauthenticated", "Unauthenticated", "ResourceExhausted"]);
  });
});
