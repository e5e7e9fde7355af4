import { ContainerModule } from "inversify";
import { CORE } from "../composition/core-module";
import { EVENTS } from "../events/events-ids";
import { NETWORK } from "./network-ids";
import { RpcRoute } from "../rpc/route";
import { securityGroupHandler } from "./security-group-handler";
import { SecurityGroupService } from "./security-group-service";
import { virtualNetworkHandler } from "./virtual-network-handler";
import { VirtualNetworkService } from "./virtual-network-service";

/** networkModule binds the network area (virtual networks, security groups) and its two handlers. */
export const networkModule = new ContainerModule(({ bind }) => {
  bind(NETWORK.networks)
    .toDynamicValue((c) => new VirtualNetworkService(c.get(CORE.deps)))
    .inSingletonScope();
  bind(NETWORK.securityGroups)
    .toDynamicValue((c) => new SecurityGroupService(c.get(CORE.deps)))
    .inSingletonScope();

  bind(RpcRoute).toDynamicValue((c) => virtualNetworkHandler(c.get(NETWORK.networks), c.get(EVENTS.watch)));
  bind(RpcRoute).toDynamicValue((c) => securityGroupHandler(c.get(NETWORK.securityGroups)));
});
