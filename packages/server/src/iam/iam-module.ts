import { ContainerModule } from "inversify";
import { CORE } from "../composition/core-module";
import { IAM } from "./iam-ids";
import { RpcRoute } from "../rpc/route";
import { projectHandler } from "./project-handler";
import { ProjectService } from "./project-service";

/** iamModule binds the identity and access area (projects today) and its handler. */
export const iamModule = new ContainerModule(({ bind }) => {
  bind(IAM.projects)
    .toDynamicValue((c) => new ProjectService(c.get(CORE.deps)))
    .inSingletonScope();

  bind(RpcRoute).toDynamicValue((c) => projectHandler(c.get(IAM.projects)));
});
