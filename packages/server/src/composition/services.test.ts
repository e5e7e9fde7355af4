import { createClient, createRouterTransport } from "@connectrpc/connect";
import { iam } from "@limiquantix/api";
import { type Clock, Clock as ClockPort } from "@limiquantix/domain";
import { bindMemoryAdapters, createMemoryAdapters } from "@limiquantix/repo-memory";
import { ContainerModule } from "inversify";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { ConfigSchema } from "../config/schema";
import type { CallContext } from "../context/call-context";
import { IAM } from "../iam/iam-ids";
import { ProjectService } from "../iam/project-service";
import { registerRoutes, route, RpcRoute } from "../rpc/route";
import { portModule } from "./backends/port-module";
import { CORE } from "./core-module";
import { createControlPlane } from "./services";

const base = () => {
  const memory = createMemoryAdapters();
  return {
    adapters: [portModule((b) => bindMemoryAdapters(b, memory))],
    config: ConfigSchema.parse({}),
    logger: pino({ level: "silent" }),
  };
};

describe("createControlPlane", () => {
  it("binds every area's routes and the controllers the leader runs", async () => {
    const plane = await createControlPlane(base());
    const served = plane.routes().map((r) => r.service.typeName);
    expect(served).toEqual(
      expect.arrayContaining([
        "limiquantix.compute.v1.VMService",
        "limiquantix.storage.v1.VolumeService",
        "limiquantix.iam.v1.ProjectService",
      ]),
    );
    expect(
      plane
        .controllers()
        .map((c) => c.name)
        .sort(),
    ).toEqual([
      "alert-evaluation",
      "alert-notifier",
      "change-log-compactor",
      "drs",
      "ha",
      "node-health",
      "reconciler",
    ]);
    await plane.close();
  });

  it("lets an integrator's module rebind one service, and the handler uses it", async () => {
    class NamedProjects extends ProjectService {
      override async create(ctx: CallContext, input: Parameters<ProjectService["create"]>[1]) {
        return super.create(ctx, { ...input, name: `acme-${input.name}` });
      }
    }
    const plane = await createControlPlane({
      ...base(),
      modules: [
        new ContainerModule(({ rebindSync }) => {
          rebindSync(IAM.projects)
            .toDynamicValue((c) => new NamedProjects(c.get(CORE.deps)))
            .inSingletonScope();
        }),
      ],
    });
    const client = createClient(
      iam.ProjectService,
      createRouterTransport((router) => void registerRoutes(router, plane.routes())),
    );
    const { project } = await client.createProject({ name: "web" });
    expect(project?.name).toBe("acme-web");
    await plane.close();
  });

  it("lets an integrator's route replace a built-in handler, and rebind a port", async () => {
    const fixed: Clock = { now: () => new Date("2030-01-01T00:00:00Z") };
    const plane = await createControlPlane({
      ...base(),
      modules: [
        new ContainerModule(({ bind, rebindSync }) => {
          rebindSync(ClockPort).toConstantValue(fixed);
          bind(RpcRoute).toConstantValue(
            route(iam.ProjectService, {
              async getProject(_ctx, req) {
                return { project: { id: req.id, name: "from-the-integrator" } };
              },
            }),
          );
        }),
      ],
    });
    expect(plane.services.deps.clock.now().toISOString()).toBe("2030-01-01T00:00:00.000Z");
    const client = createClient(
      iam.ProjectService,
      createRouterTransport((router) => void registerRoutes(router, plane.routes())),
    );
    expect((await client.getProject({ id: "x" })).project?.name).toBe("from-the-integrator");
    await plane.close();
  });
});
