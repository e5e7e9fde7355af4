import { create, type DescMethod } from "@bufbuild/protobuf";
import { type CallOptions, createClient } from "@connectrpc/connect";
import { API_SERVICES, audit, compute, iam, network, storage } from "@limiquantix/api";
import type { Role } from "@limiquantix/domain";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POLICY } from "../policy/policy-table";
import type { PolicyRule } from "../policy/policy-rule";
import { type AccessHarness, codeOf, startAccessHarness } from "./access-support";

/** Caller is one column of the matrix: who calls, and what the spec says it holds. */
interface Caller {
  readonly name: string;
  token: string;
  readonly role?: Role;
  /** The project it is an operator in, if any ("p" is where the targets live, "q" is elsewhere). */
  readonly project?: "p" | "q";
}

const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };
const DENIALS = new Set(["Unauthenticated", "PermissionDenied"]);

/**
 * expected is the matrix's oracle, written from the access rules as documented (docs/access.md),
 * not from the authoriser: "allowed" (the service may still refuse the request, but not for
 * access), or the code of the denial.
 */
function expected(
  rule: PolicyRule,
  c: Caller,
): "allowed" | "Unauthenticated" | "PermissionDenied" | "NotFound" {
  if (rule.access === "public") return "allowed";
  if (c.name === "anonymous") return "Unauthenticated";
  const global = c.role ? RANK[c.role] : 0;
  switch (rule.access) {
    case "authenticated":
      return "allowed";
    case "self":
      return global === RANK.admin ? "allowed" : "NotFound"; // the request names no user of its own
    case "node":
      return global === RANK.admin ? "allowed" : "PermissionDenied";
    case "cluster":
      if (global >= RANK[rule.need]) return "allowed";
      return rule.catalog && c.project ? "allowed" : "PermissionDenied";
    case "project":
      if (global >= RANK[rule.need]) return "allowed";
      if (!c.project) return "PermissionDenied";
      return c.project === "p" ? "allowed" : "NotFound";
  }
}

describe("the authorisation matrix: every RPC × every kind of caller, over Connect and gRPC", () => {
  let h: AccessHarness;
  const targets: Record<string, string> = {};
  let poolId = "";
  let round = 0;

  /** makeTargets creates one resource of each project-scoped kind in project p (the admin's calls may delete them). */
  async function makeTargets(): Promise<void> {
    const p = targets.projectId as string;
    const n = ++round;
    targets.VirtualNetwork = (
      await h.client(network.VirtualNetworkService, h.admin).createVirtualNetwork({
        name: `m-lan-${n}`,
        projectId: p,
        spec: { type: network.NetworkType.OVERLAY, cidr: `10.${n}.0.0/24` },
      })
    ).virtualNetwork!.id;
    targets.SecurityGroup = (
      await h
        .client(network.SecurityGroupService, h.admin)
        .createSecurityGroup({ name: `m-sg-${n}`, projectId: p })
    ).securityGroup!.id;
    targets.Volume = (
      await h.client(storage.VolumeService, h.admin).createVolume({
        name: `m-vol-${n}`,
        projectId: p,
        spec: { poolId, sizeGib: 1n },
      })
    ).volume!.id;
    targets.VirtualMachine = (
      await h.client(compute.VMService, h.admin).createVM({
        name: `m-vm-${n}`,
        projectId: p,
        spec: { vcpus: 1, memoryMib: 512n },
      })
    ).vm!.id;
  }
  const callers: Caller[] = [];
  beforeAll(async () => {
    h = await startAccessHarness();
    const projects = h.client(iam.ProjectService, h.admin);
    const p = (await projects.createProject({ name: "matrix-p" })).project!.id;
    const q = (await projects.createProject({ name: "matrix-q" })).project!.id;
    targets.Project = p;
    targets.projectId = p;
    await h.client(compute.NodeService, h.admin).registerNode(
      create(compute.RegisterNodeRequestSchema, {
        name: "m-node",
        spec: {
          hostname: "m-node.lab",
          managementIp: "10.0.0.5",
          agentAddress: "127.0.0.1:1",
          cpu: { sockets: 1, coresPerSocket: 64, threadsPerCore: 1 },
          memoryMib: 262_144n,
        },
      }),
    );
    poolId = (
      await h.client(storage.StoragePoolService, h.admin).createStoragePool({
        name: "m-pool",
        spec: { type: storage.StoragePoolType.NFS, capacityGib: 1000n },
      })
    ).storagePool!.id;
    const member = (project: string) => [{ projectId: project, role: iam.Role.OPERATOR }];
    callers.push(
      { name: "anonymous", token: "" },
      { name: "viewer", token: (await h.user("m-viewer", { role: iam.Role.VIEWER })).token, role: "viewer" },
      {
        name: "operator",
        token: (await h.user("m-operator", { role: iam.Role.OPERATOR })).token,
        role: "operator",
      },
      { name: "member of p", token: (await h.user("m-pat", { projects: member(p) })).token, project: "p" },
      { name: "member of q", token: (await h.user("m-quinn", { projects: member(q) })).token, project: "q" },
    );
    const sa = await h.client(iam.ServiceAccountService, h.admin).createServiceAccount({
      name: "m-robot",
      projectMemberships: member(p),
    });
    callers.push({ name: "service account of p", token: sa.token, project: "p" });
    // The admin goes last: its calls may delete the targets.
    callers.push({ name: "admin", token: h.admin, role: "admin" });
  }, 60_000);
  afterAll(() => h?.close());

  function requestOf(method: DescMethod, rule: PolicyRule): Record<string, unknown> {
    const msg: Record<string, unknown> = {};
    if (rule.access === "project") {
      const t = rule.target;
      msg[t.field] = t.by === "project" ? targets.projectId : (targets[t.kind] ?? "no-such-resource");
    }
    void method;
    return msg;
  }

  async function call(
    method: DescMethod,
    service: (typeof API_SERVICES)[number],
    message: object,
    c: Caller,
    protocol: "connect" | "grpc",
  ) {
    const client = createClient(service, h.transport(c.token || undefined, protocol)) as unknown as Record<
      string,
      (req: unknown, o?: CallOptions) => unknown
    >;
    const fn = client[method.localName] as (req: unknown, o?: CallOptions) => unknown;
    const req = create(method.input, message as never);
    if (method.methodKind === "server_streaming")
      return codeOf(async () => {
        const ctl = new AbortController();
        const timer = setTimeout(() => ctl.abort(), 300);
        try {
          for await (const _ of fn(req, { signal: ctl.signal }) as AsyncIterable<unknown>) break;
        } catch (e) {
          if (ctl.signal.aborted) return; // still open after 300 ms: it was allowed
          throw e;
        } finally {
          clearTimeout(timer);
        }
      });
    return codeOf(() => fn(req) as Promise<unknown>);
  }

  for (const protocol of ["connect", "grpc"] as const)
    it(`answers as the rules say, over ${protocol}`, async () => {
      await makeTargets();
      const wrong: string[] = [];
      let checked = 0;
      for (const c of callers)
        for (const service of API_SERVICES) {
          if (service.typeName === "grpc.health.v1.Health") continue;
          for (const method of service.methods) {
            const rule = POLICY[`${service.typeName}/${method.name}`];
            if (!rule) {
              wrong.push(`${service.typeName}/${method.name}: no rule`);
              continue;
            }
            // Signing in and out changes the callers' own sessions: covered by the access tests.
            if (service.typeName === "limiquantix.iam.v1.AuthService" && method.name !== "WhoAmI") continue;
            const want = expected(rule, c);
            const got = await call(method, service, requestOf(method, rule), c, protocol);
            checked++;
            const ok = want === "allowed" ? !DENIALS.has(got) : got === want;
            if (!ok) wrong.push(`${c.name} → ${method.name}: expected ${want}, got ${got}`);
          }
        }
      expect(wrong).toEqual([]);
      expect(checked).toBeGreaterThan(7 * 100);
      // Every RPC that changes something left an entry for each call (allowed or denied), and no
      // read left one for a caller it let through.
      const entries: { action: string; outcome: number }[] = [];
      const log = createClient(audit.AuditService, h.transport(h.admin, protocol));
      for (let token = ""; ; ) {
        const page = await log.listAuditEntries({ pageSize: 1000, pageToken: token });
        entries.push(...page.entries);
        token = page.nextPageToken;
        if (!token) break;
      }
      const actions = new Set(entries.map((e) => e.action));
      const unaudited = Object.entries(POLICY)
        .filter(([key, rule]) => rule.audited && !key.startsWith("limiquantix.iam.v1.AuthService/"))
        .map(([key]) => key)
        .filter((key) => !actions.has(key));
      expect(unaudited).toEqual([]);
      const readsLogged = entries.filter((e) => {
        const rule = POLICY[e.action];
        return rule && !rule.audited && e.outcome === audit.Outcome.SUCCESS;
      });
      expect(readsLogged.map((e) => e.action)).toEqual([]);
    }, 120_000);
});
