import type { ProjectInput } from "@limiquantix/domain";
import {
  type CallContext,
  ConfigSchema,
  CORE,
  createLogger,
  IAM,
  ProjectService,
  type RunningServer,
  type ServiceDeps,
  startServer,
} from "@limiquantix/server";
import { ContainerModule } from "inversify";

/** PrefixedProjects is the project service with one rule added: every new project's name carries the organisation's prefix. */
export class PrefixedProjects extends ProjectService {
  constructor(
    deps: ServiceDeps,
    private readonly prefix: string,
  ) {
    super(deps);
  }

  override create(ctx: CallContext, input: Omit<ProjectInput, "id">) {
    const name = input.name.startsWith(`${this.prefix}-`) ? input.name : `${this.prefix}-${input.name}`;
    return super.create(ctx, { ...input, name });
  }
}

/**
 * namingPolicy is an integrator's module: it rebinds the project service to PrefixedProjects and
 * leaves every other port, service and handler as the server binds them. The ProjectService
 * handler resolves the service from the container, so the API follows the new rule.
 */
export function namingPolicy(prefix: string): ContainerModule {
  return new ContainerModule(({ rebindSync }) => {
    rebindSync(IAM.projects)
      .toDynamicValue((c) => new PrefixedProjects(c.get<ServiceDeps>(CORE.deps), prefix))
      .inSingletonScope();
  });
}

/** startEmbedded starts the control plane in this process: in memory, on loopback, on a free port, with the naming policy. */
export function startEmbedded(prefix: string): Promise<RunningServer> {
  const config = ConfigSchema.parse({
    mode: "dev",
    server: { port: 0 },
    simulation: { nodes: 0 },
    logging: { level: "warn", format: "json" },
  });
  return startServer(config, {
    logger: createLogger(config.logging),
    version: "embedded",
    modules: [namingPolicy(prefix)],
  });
}
