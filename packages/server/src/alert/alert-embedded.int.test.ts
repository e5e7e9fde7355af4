import { ManualClock } from "@limiquantix/repo-memory";
import { makeTempDir, type TempDir } from "@limiquantix/testkit";
import { ContainerModule } from "inversify";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemContext } from "../context/call-context";
import type { Controller } from "../controllers/controller";
import { type RunningServer, startServer } from "../runtime/server";
import { allItems } from "../shared/each-item";
import type { ServiceDeps } from "../shared/service-deps";
import { testConfig } from "../testing/server-config";
import { AlertController } from "./alert-controller";
import { ALERTS } from "./alert-ids";
import { AlertRuleService } from "./alert-rule-service";
import { AlertService } from "./alert-service";

// The store decides whether an alert is raised twice, so the guarantees are checked on PGlite too.
const silent = pino({ level: "silent" });
let dir: TempDir;
let server: RunningServer;
let deps: ServiceDeps;
const clock = new ManualClock();

beforeAll(async () => {
  dir = await makeTempDir("alerts-embedded");
  // The server's own evaluation controller is left out: the test drives its own on a manual clock.
  const idle: Controller = { name: "alert-evaluation-off", start: async () => {}, stop: async () => {} };
  server = await startServer(testConfig({ mode: "embedded", dataDir: dir.path }), {
    logger: silent,
    version: "test",
    modules: [
      new ContainerModule(({ rebindSync }) => {
        rebindSync(ALERTS.evaluation).toConstantValue(idle as AlertController);
      }),
    ],
  });
  deps = { ...server.services.deps, clock };
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await dir?.remove();
});

const controller = () =>
  new AlertController(
    deps,
    new AlertService(deps),
    new AlertRuleService(deps),
    { intervalMs: 15_000 },
    silent,
  );

describe("alerts on embedded PGlite", () => {
  it("raises one alert per rule × resource across overlapping and successive leaders, then a new one after the cooldown", async () => {
    const node = await server.services.nodeAgents.register(systemContext("test"), {
      name: "pg-hot",
      hostname: "pg-hot.lab",
      managementIp: "10.0.0.7",
      agentAddress: "127.0.0.1:1",
      cpu: { sockets: 1, coresPerSocket: 8, threadsPerCore: 1 },
      memoryMib: 8192,
      labels: {},
    });
    const rule = await new AlertRuleService(deps).createRule(systemContext("test"), {
      name: "pg-cpu",
      labels: {},
      spec: {
        metric: "node.cpu.percent",
        operator: "gt",
        threshold: 50,
        forSec: 0,
        severity: "INFO",
        cooldownSec: 60,
      },
    });
    await deps.repos.nodes.recordHeartbeat(node.id, {
      at: clock.now().toISOString(),
      usage: { cpuPercent: 90, memoryUsedMib: 1024 },
    });
    const ofRule = async () => (await allItems(deps.repos.alerts, {})).filter((a) => a.ruleId === rule.id);

    const [a, b] = [controller(), controller()];
    const [ra, rb] = await Promise.all([a.evaluate(), b.evaluate()]);
    expect([...ra.fired, ...rb.fired].filter((x) => x.ruleId === rule.id)).toHaveLength(1);
    expect((await controller().evaluate()).fired.filter((x) => x.ruleId === rule.id)).toEqual([]);
    const [first] = await ofRule();
    expect(first).toBeDefined();

    await new AlertService(deps).resolve(systemContext("test"), first!.id, "handled");
    clock.advance(30_000);
    expect((await a.evaluate()).coolingDown).toHaveLength(1);
    clock.advance(30_000);
    const again = (await b.evaluate()).fired.filter((x) => x.ruleId === rule.id);
    expect(again).toHaveLength(1);
    expect((await ofRule()).map((x) => x.state).sort()).toEqual(["OPEN", "RESOLVED"]);
  });
});
