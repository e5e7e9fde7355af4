import { ContainerModule } from "inversify";
import { EVENTS } from "../events/events-ids";
import { RpcRoute } from "../rpc/route";
import { drsHandler } from "./drs-handler";

/** drsModule binds the DRS area: today the DRSService watch stream. */
export const drsModule = new ContainerModule(({ bind }) => {
  bind(RpcRoute).toDynamicValue((c) => drsHandler(c.get(EVENTS.watch)));
});
