import { writeFile } from "node:fs/promises";
import type { MemoryAgentPool } from "@limiquantix/repo-memory";
import { makeTempDir, type TempDir } from "@limiquantix/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { type MemoryServices, startMemoryServices } from "../testing/memory-services";
import { writeFakeIpmitool } from "../testing/fake-ipmitool";
import { type FakeRedfish, startFakeRedfish } from "../testing/fake-redfish";
import type { HaController } from "./ha-controller";
import { HA } from "./ha-ids";

let env: MemoryServices | undefined;
let bmc: FakeRedfish | undefined;
let dir: TempDir | undefined;
afterEach(async () => {
  await env?.close();
  await bmc?.close();
  await dir?.remove();
  env = bmc = dir = undefined;
});

/** start runs the services with node "dead" fenced through a fake Redfish BMC whose password is in a file. */
async function start(
  password: string,
): Promise<{ ha: HaController; services: MemoryServices; passwordFile: string }> {
  bmc = await startFakeRedfish({ username: "fencer", password: "right" });
  dir = await makeTempDir("redfish-ha");
  const passwordFile = `${dir.path}/dead.pass`;
  await writeFile(passwordFile, `${password}\n`);
  env = await startMemoryServices({
    config: {
      ha: {
        fenceRetryBaseSec: 1,
        fencing: {
          redfish: {
            pollIntervalSec: 0.05,
            nodes: { dead: { endpoint: bmc.url, username: "fencer", passwordFile } },
          },
        },
      },
    },
  });
  return { ha: env.plane.container.get(HA.controller), services: env, passwordFile };
}

/** goSilent has a node stop beating and its agent stop answering, as a dead host does. */
async function goSilent(s: MemoryServices, nodeId: string): Promise<void> {
  (s.adapters.agentPool as MemoryAgentPool).host(nodeId).setReachable(false);
  await s.services.nodes.setPhase(s.ctx, nodeId, "NOT_READY", "no heartbeat");
}

async function runningVm(s: MemoryServices, name: string): Promise<string> {
  const created = await s.services.vms.create(s.ctx, {
    projectId: s.projectId,
    name,
    spec: { cpu: { vcpus: 1 }, memory: { sizeMib: 1024 }, ha: { enabled: true, restartPriority: "medium" } },
  });
  await s.services.power.start(s.ctx, created.id);
  const end = Date.now() + 5000;
  while ((await s.services.vms.get(s.ctx, created.id)).status.powerState !== "RUNNING" && Date.now() < end)
    await new Promise((r) => setTimeout(r, 25));
  return created.id;
}

describe("HA with a Redfish-fenced node", () => {
  it("powers a node named in ha.fencing.redfish.nodes off through its BMC, then restarts its VMs elsewhere", async () => {
    const { ha, services: s } = await start("right");
    const dead = await s.registerNode("dead", 8, 32768);
    const web = await runningVm(s, "web");
    const other = await s.registerNode("other", 8, 32768);
    await goSilent(s, dead);

    const report = await ha.pass();
    expect(report.fenced).toEqual([dead]);
    expect(bmc!.power.get("1")).toBe("Off");
    expect(bmc!.requests.filter((r) => r.method === "POST").map((r) => r.body)).toEqual([
      { ResetType: "ForceOff" },
    ]);
    const node = await s.services.nodes.get(s.ctx, dead);
    expect(node.status.phase).toBe("FAILED");
    expect(node.status.conditions.find((c) => c.type === "Fenced")).toMatchObject({
      status: "True",
      reason: "FencedByRedfish",
      message: expect.stringMatching(/Redfish ForceOff/),
    });
    expect(report.failover.restarted).toMatchObject([{ vmId: web, to: other }]);
  });

  it("keeps a node FENCING with the BMC's refusal in its condition, and fences it once the password is right", async () => {
    const { ha, services: s, passwordFile } = await start("wrong");
    const dead = await s.registerNode("dead", 8, 32768);
    const web = await runningVm(s, "web");
    await s.registerNode("other", 8, 32768);
    await goSilent(s, dead);

    const first = await ha.pass();
    expect(first.fenceFailed).toEqual([dead]);
    const node = await s.services.nodes.get(s.ctx, dead);
    expect(node.status.phase).toBe("FENCING");
    expect(node.status.message).toMatch(/fencing \(redfish\)/);
    expect(node.status.conditions.find((c) => c.type === "Fenced")).toMatchObject({
      status: "False",
      reason: "FencingFailed",
      message: expect.stringMatching(/401 Unauthorized.*attempt 1/),
    });
    expect(bmc!.power.get("1")).toBe("On");
    expect((await s.services.vms.get(s.ctx, web)).status.nodeId).toBe(dead);

    await writeFile(passwordFile, "right\n");
    await new Promise((r) => setTimeout(r, 1100));
    const second = await ha.pass();
    expect(second.fenced).toEqual([dead]);
    expect(bmc!.power.get("1")).toBe("Off");
    expect(second.failover.restarted.map((r) => r.vmId)).toEqual([web]);
  });
});

describe("HA with an IPMI-fenced node", () => {
  it("powers a node named in ha.fencing.ipmi.nodes off with ipmitool, then restarts its VMs elsewhere", async () => {
    dir = await makeTempDir("ipmi-ha");
    const ipmi = await writeFakeIpmitool(dir.path, { password: "right" });
    await writeFile(`${dir.path}/pw`, "right\n");
    env = await startMemoryServices({
      config: {
        ha: {
          fencing: {
            ipmi: {
              ipmitoolPath: ipmi.path,
              pollIntervalSec: 0.05,
              nodes: { dead: { host: "10.0.0.9", username: "fencer", passwordFile: `${dir.path}/pw` } },
            },
          },
        },
      },
    });
    const s = env;
    const ha = s.plane.container.get<HaController>(HA.controller);
    const dead = await s.registerNode("dead", 8, 32768);
    const web = await runningVm(s, "web");
    const other = await s.registerNode("other", 8, 32768);
    await goSilent(s, dead);

    const report = await ha.pass();
    expect(report.fenced).toEqual([dead]);
    expect(await ipmi.power()).toBe("off");
    expect(
      (await s.services.nodes.get(s.ctx, dead)).status.conditions.find((c) => c.type === "Fenced"),
    ).toMatchObject({
      status: "True",
      reason: "FencedByIpmi",
    });
    expect(report.failover.restarted).toMatchObject([{ vmId: web, to: other }]);
  });
});

describe("HA with several BMCs", () => {
  it("fences nodes side by side: one BMC's reset still in flight does not hold back another's", async () => {
    let bReset!: () => void;
    const bSeen = new Promise<void>((r) => {
      bReset = r;
    });
    // A's BMC answers its reset only once B's BMC has received one: fencing one node after the
    // other would never get there, and A's fencing would time out.
    const a = await startFakeRedfish({ beforeReset: () => bSeen });
    const b = await startFakeRedfish({
      beforeReset: async () => {
        bReset();
      },
    });
    dir = await makeTempDir("redfish-two");
    await writeFile(`${dir.path}/pw`, "s3cret\n");
    const bmcOf = (url: string) => ({ endpoint: url, username: "admin", passwordFile: `${dir!.path}/pw` });
    try {
      env = await startMemoryServices({
        config: {
          ha: {
            // Fencing side by side is what is tested here, not the isolation check before it.
            agentProbeTimeoutMs: 0,
            fencing: {
              redfish: {
                requestTimeoutSec: 5,
                pollIntervalSec: 0.05,
                nodes: { a: bmcOf(a.url), b: bmcOf(b.url) },
              },
            },
          },
        },
      });
      const s = env;
      const ha = s.plane.container.get<HaController>(HA.controller);
      const ids = [await s.registerNode("a", 8, 32768), await s.registerNode("b", 8, 32768)];
      for (const id of ids) await s.services.nodes.setPhase(s.ctx, id, "NOT_READY", "no heartbeat");
      const report = await ha.pass();
      expect(report.fenced).toEqual(ids);
      expect([a.power.get("1"), b.power.get("1")]).toEqual(["Off", "Off"]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
