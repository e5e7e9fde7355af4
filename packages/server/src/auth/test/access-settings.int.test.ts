import { audit, iam, network } from "@limiquantix/api";
import { describe, expect, it } from "vitest";
import { codeOf, startAccessHarness } from "./access-support";

describe("access settings", () => {
  it("asks for a token on /metrics when auth.metricsRequireToken is set", async () => {
    const h = await startAccessHarness({ auth: { metricsRequireToken: true } });
    try {
      const anonymous = await fetch(`${h.server.url}/metrics`);
      expect(anonymous.status).toBe(401);
      const garbage = await fetch(`${h.server.url}/metrics`, { headers: { authorization: "Bearer nope" } });
      expect(garbage.status).toBe(401);
      const signedIn = await fetch(`${h.server.url}/metrics`, {
        headers: { authorization: `Bearer ${h.admin}` },
      });
      expect(signedIn.status).toBe(200);
      expect(await signedIn.text()).toContain("# HELP");
    } finally {
      await h.close();
    }
  });

  it("serves every caller as an administrator when authentication is turned off, and still audits", async () => {
    const h = await startAccessHarness({ auth: { enabled: false } });
    try {
      const anonymous = h.client(iam.ProjectService);
      const { project } = await anonymous.createProject({ name: "open" });
      expect(project?.name).toBe("open");
      expect(await codeOf(() => h.client(network.VirtualNetworkService).listVirtualNetworks({}))).toBe("ok");
      const { entries } = await h
        .client(audit.AuditService)
        .listAuditEntries({ action: "limiquantix.iam.v1.ProjectService/CreateProject" });
      expect(entries.map((e) => e.actor?.username)).toEqual(["anonymous:anonymous"]);
    } finally {
      await h.close();
    }
  });
});
