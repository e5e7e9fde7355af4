import { Coordinator } from "@limiquantix/domain";
import { ContainerModule } from "inversify";
import { COMPUTE } from "../compute/compute-ids";
import { CORE, type ServerConfig } from "../composition/core-module";
import { EVENTS } from "../events/events-ids";
import { RpcRoute } from "../rpc/route";
import { DrsController } from "./drs-controller";
import { drsHandler } from "./drs-handler";
import { DRS } from "./drs-ids";
import { DrsPassRunner } from "./drs-pass-runner";
import { DrsService } from "./drs-service";
import { drsRuntimeSettings } from "./drs-settings";
import { RecommendationApplier } from "./recommendation-applier";

/**
 * drsModule binds the DRS area: the recommendation applier, the pass runner, the DRS service and
 * DRSService handler, and the DRS controller (run on the leader).
 */
export const drsModule = new ContainerModule(({ bind }) => {
  bind(DRS.settings)
    .toDynamicValue((c) => drsRuntimeSettings(c.get<ServerConfig>(CORE.config)))
    .inSingletonScope();
  bind(DRS.applier)
    .toDynamicValue(
      (c) =>
        new RecommendationApplier(
          c.get(CORE.deps),
          c.get(COMPUTE.migrations),
          c.get(CORE.snapshot),
          c.get(CORE.relay),
          c.get(DRS.settings),
        ),
    )
    .inSingletonScope();
  bind(DRS.passes)
    .toDynamicValue(
      (c) =>
        new DrsPassRunner(
          c.get(CORE.deps),
          c.get(CORE.scheduler),
          c.get(CORE.snapshot),
          c.get(CORE.relay),
          c.get(DRS.applier),
          c.get(DRS.settings),
        ),
    )
    .inSingletonScope();
  bind(DRS.service)
    .toDynamicValue(
      (c) =>
        new DrsService(
          c.get(CORE.deps),
          c.get(CORE.snapshot),
          c.get(CORE.relay),
          c.get(DRS.applier),
          c.get(DRS.settings),
          c.get(Coordinator, { optional: true }),
        ),
    )
    .inSingletonScope();
  bind(DRS.controller)
    .toDynamicValue(
      (c) => new DrsController(c.get(CORE.deps), c.get(CORE.relay), c.get(DRS.passes), c.get(CORE.logger)),
    )
    .inSingletonScope();
  bind(CORE.controller).toService(DRS.controller);
  bind(RpcRoute).toDynamicValue((c) => drsHandler({ drs: c.get(DRS.service), watch: c.get(EVENTS.watch) }));
});
