import { ContainerModule } from "inversify";
import { EVENTS } from "../events/events-ids";
import { RpcRoute } from "../rpc/route";
import { alertHandler } from "./alert-handler";

/** alertModule binds the alert area: today the AlertService watch stream. */
export const alertModule = new ContainerModule(({ bind }) => {
  bind(RpcRoute).toDynamicValue((c) => alertHandler(c.get(EVENTS.watch)));
});
